/** The 20 newsgroups of the corpus, sorted by name, and the default four-group selection. */
export const ALL_GROUPS: readonly string[] = [
  "alt.atheism",
  "comp.graphics",
  "comp.os.ms-windows.misc",
  "comp.sys.ibm.pc.hardware",
  "comp.sys.mac.hardware",
  "comp.windows.x",
  "misc.forsale",
  "rec.autos",
  "rec.motorcycles",
  "rec.sport.baseball",
  "rec.sport.hockey",
  "sci.crypt",
  "sci.electronics",
  "sci.med",
  "sci.space",
  "soc.religion.christian",
  "talk.politics.guns",
  "talk.politics.mideast",
  "talk.politics.misc",
  "talk.religion.misc",
];

/** The reference notebook's selection. */
export const DEFAULT_GROUPS: readonly string[] = [
  "alt.atheism",
  "comp.graphics",
  "sci.space",
  "talk.religion.misc",
];
