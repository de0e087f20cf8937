(()=>{const svg=document.getElementById("mapsvg");if(!svg)return;const pts=svg.querySelectorAll(".pt");const ctl=document.querySelectorAll("[data-hl]");let cur="";
const show=(key)=>{cur=cur===key?"":key;const want=cur?cur.split(" "):[];for(const p of pts){p.classList.toggle("dim",!want.every((c)=>p.classList.contains(c)));}
for(const b of ctl){b.classList.toggle("on",cur!==""&&b.getAttribute("data-hl")===cur);}};
for(const b of ctl){b.addEventListener("click",()=>show(b.getAttribute("data-hl")||""));}})();
