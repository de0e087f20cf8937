;; k-means' per-row loops in WebAssembly (SIMD for the two smallest scores of a row); see
;; kernels.ts, which owns the memory layout. All arrays are byte offsets into the one memory.
(module
  (memory (export "memory") 1)

  ;; Hamerly's bound update for rows [0, n), then the rows whose label could change, ascending,
  ;; into cand. Per row i with j = labels[i]:
  ;;   upper[i] += moved[j];  lower[i] -= (j == maxJ ? secondMove : maxMove);
  ;;   candidate when upper[i]·hi >= max(lower[i], half[j])·lo.
  ;; Returns the number of candidates.
  (func (export "bounds")
    (param $n i32) (param $labels i32) (param $upper i32) (param $lower i32)
    (param $moved i32) (param $half i32) (param $maxJ i32) (param $maxMove f64)
    (param $secondMove f64) (param $hi f64) (param $lo f64) (param $cand i32) (result i32)
    (local $i i32) (local $j i32) (local $count i32) (local $up f64) (local $low f64)
    (local $pu i32) (local $pl i32)
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $j (i32.load (i32.add (local.get $labels) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $pu (i32.add (local.get $upper) (i32.shl (local.get $i) (i32.const 3))))
        (local.set $pl (i32.add (local.get $lower) (i32.shl (local.get $i) (i32.const 3))))
        (local.set $up (f64.add (f64.load (local.get $pu))
          (f64.load (i32.add (local.get $moved) (i32.shl (local.get $j) (i32.const 3))))))
        (local.set $low (f64.sub (f64.load (local.get $pl))
          (select (local.get $secondMove) (local.get $maxMove) (i32.eq (local.get $j) (local.get $maxJ)))))
        (f64.store (local.get $pu) (local.get $up))
        (f64.store (local.get $pl) (local.get $low))
        ;; Without a branch (a third of the rows are candidates, in no order a predictor learns):
        ;; i is written at the list's end either way and kept by counting it.
        (i32.store (i32.add (local.get $cand) (i32.shl (local.get $count) (i32.const 2))) (local.get $i))
        (local.set $count (i32.add (local.get $count)
          (f64.ge (f64.mul (local.get $up) (local.get $hi))
                  (f64.mul (f64.max (local.get $low)
                                    (f64.load (i32.add (local.get $half) (i32.shl (local.get $j) (i32.const 3)))))
                           (local.get $lo)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows)))
    (local.get $count))

;; Assignment from the scores y (k x m, fp32: y[j·m + r] = ||c_j||² − 2·x·c_j) of rows
  ;; i = rows[from + r] (or i = from + r when $rows is -1), r < m.
  ;; First, per row, the smallest score s1 (the first centre j on ties) and the second smallest s2
  ;; (equal to s1 on a tie) into the scratch arrays at $top: eight rows at a time (two SIMD lane
  ;; groups) over the centres, then four, then one by one.
  ;; Then per row i, with err = perNorm·||x_i|| + constant: when s2 − s1 > 2·err (float64), j is
  ;; the float64 nearest centre: labels[i] = j, upper[i] = sqrt(max(0, ||x||² + s1 + err)),
  ;; lower[i] = sqrt(max(0, ||x||² + s2 − err)), and a changed label appends (i, old label) to the
  ;; list at $changed. Otherwise (near-ties, NaN, infinities) i is appended to $rescan for the
  ;; caller's float64 scan. The lists' lengths go to counts[0] and counts[1].
  (func (export "assign")
    (param $m i32) (param $k i32) (param $y i32) (param $rows i32) (param $from i32)
    (param $norms i32) (param $labels i32) (param $upper i32) (param $lower i32)
    (param $perNorm f64) (param $constant f64)
    (param $changed i32) (param $rescan i32) (param $counts i32) (param $top i32)
    (local $r i32) (local $j i32) (local $p i32) (local $stride i32) (local $end i32)
    (local $s1 i32) (local $s2 i32) (local $js i32)
    (local $a v128) (local $b v128) (local $x v128) (local $ai v128)
    (local $a2 v128) (local $b2 v128) (local $x2 v128) (local $ai2 v128) (local $jv v128)
    (local $s f32) (local $m1 f32) (local $m2 f32) (local $best i32)
    (local $i i32) (local $nc i32) (local $nr i32) (local $old i32)
    (local $norm f64) (local $err f64) (local $xx f64) (local $v1 f64) (local $v2 f64)
    (local.set $stride (i32.shl (local.get $m) (i32.const 2)))
    (local.set $s1 (local.get $top))
    (local.set $s2 (i32.add (local.get $top) (local.get $stride)))
    (local.set $js (i32.add (local.get $s2) (local.get $stride)))
    ;; eight rows at a time
    (local.set $end (i32.and (local.get $m) (i32.const -8)))
    (block $done8
      (loop $eights
        (br_if $done8 (i32.ge_u (local.get $r) (local.get $end)))
        (local.set $a (f32x4.splat (f32.const inf)))
        (local.set $b (local.get $a))
        (local.set $a2 (local.get $a))
        (local.set $b2 (local.get $a))
        (local.set $ai (i32x4.splat (i32.const 0)))
        (local.set $ai2 (local.get $ai))
        (local.set $jv (local.get $ai))
        (local.set $p (i32.add (local.get $y) (i32.shl (local.get $r) (i32.const 2))))
        (local.set $j (i32.const 0))
        (block $d1 (loop $centres
          (br_if $d1 (i32.ge_u (local.get $j) (local.get $k)))
          (local.set $x (v128.load (local.get $p)))
          (local.set $x2 (v128.load offset=16 (local.get $p)))
          (local.set $ai (v128.bitselect (local.get $jv) (local.get $ai) (f32x4.lt (local.get $x) (local.get $a))))
          (local.set $ai2 (v128.bitselect (local.get $jv) (local.get $ai2) (f32x4.lt (local.get $x2) (local.get $a2))))
          (local.set $b (f32x4.min (local.get $b) (f32x4.max (local.get $a) (local.get $x))))
          (local.set $b2 (f32x4.min (local.get $b2) (f32x4.max (local.get $a2) (local.get $x2))))
          (local.set $a (f32x4.min (local.get $a) (local.get $x)))
          (local.set $a2 (f32x4.min (local.get $a2) (local.get $x2)))
          (local.set $jv (i32x4.add (local.get $jv) (i32x4.splat (i32.const 1))))
          (local.set $p (i32.add (local.get $p) (local.get $stride)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $centres)))
        (local.set $p (i32.shl (local.get $r) (i32.const 2)))
        (v128.store (i32.add (local.get $s1) (local.get $p)) (local.get $a))
        (v128.store offset=16 (i32.add (local.get $s1) (local.get $p)) (local.get $a2))
        (v128.store (i32.add (local.get $s2) (local.get $p)) (local.get $b))
        (v128.store offset=16 (i32.add (local.get $s2) (local.get $p)) (local.get $b2))
        (v128.store (i32.add (local.get $js) (local.get $p)) (local.get $ai))
        (v128.store offset=16 (i32.add (local.get $js) (local.get $p)) (local.get $ai2))
        (local.set $r (i32.add (local.get $r) (i32.const 8)))
        (br $eights)))
    ;; four more when m mod 8 >= 4
    (if (i32.le_u (i32.add (local.get $r) (i32.const 4)) (local.get $m)) (then
      (local.set $a (f32x4.splat (f32.const inf)))
      (local.set $b (local.get $a))
      (local.set $ai (i32x4.splat (i32.const 0)))
      (local.set $jv (local.get $ai))
      (local.set $p (i32.add (local.get $y) (i32.shl (local.get $r) (i32.const 2))))
      (local.set $j (i32.const 0))
      (block $d2 (loop $centres2
        (br_if $d2 (i32.ge_u (local.get $j) (local.get $k)))
        (local.set $x (v128.load (local.get $p)))
        (local.set $ai (v128.bitselect (local.get $jv) (local.get $ai) (f32x4.lt (local.get $x) (local.get $a))))
        (local.set $b (f32x4.min (local.get $b) (f32x4.max (local.get $a) (local.get $x))))
        (local.set $a (f32x4.min (local.get $a) (local.get $x)))
        (local.set $jv (i32x4.add (local.get $jv) (i32x4.splat (i32.const 1))))
        (local.set $p (i32.add (local.get $p) (local.get $stride)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $centres2)))
      (local.set $p (i32.shl (local.get $r) (i32.const 2)))
      (v128.store (i32.add (local.get $s1) (local.get $p)) (local.get $a))
      (v128.store (i32.add (local.get $s2) (local.get $p)) (local.get $b))
      (v128.store (i32.add (local.get $js) (local.get $p)) (local.get $ai))
      (local.set $r (i32.add (local.get $r) (i32.const 4)))))
    ;; the last m mod 4 rows one by one
    (block $done1
      (loop $ones
        (br_if $done1 (i32.ge_u (local.get $r) (local.get $m)))
        (local.set $m1 (f32.const inf))
        (local.set $m2 (f32.const inf))
        (local.set $best (i32.const 0))
        (local.set $p (i32.add (local.get $y) (i32.shl (local.get $r) (i32.const 2))))
        (local.set $j (i32.const 0))
        (block $d3 (loop $centres3
          (br_if $d3 (i32.ge_u (local.get $j) (local.get $k)))
          (local.set $s (f32.load (local.get $p)))
          (if (f32.lt (local.get $s) (local.get $m1)) (then (local.set $best (local.get $j))))
          (local.set $m2 (f32.min (local.get $m2) (f32.max (local.get $m1) (local.get $s))))
          (local.set $m1 (f32.min (local.get $m1) (local.get $s)))
          (local.set $p (i32.add (local.get $p) (local.get $stride)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $centres3)))
        (local.set $p (i32.shl (local.get $r) (i32.const 2)))
        (f32.store (i32.add (local.get $s1) (local.get $p)) (local.get $m1))
        (f32.store (i32.add (local.get $s2) (local.get $p)) (local.get $m2))
        (i32.store (i32.add (local.get $js) (local.get $p)) (local.get $best))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $ones)))
    ;; the decisions, row by row
    (local.set $r (i32.const 0))
    (block $done
      (loop $decide
        (br_if $done (i32.ge_u (local.get $r) (local.get $m)))
        (local.set $i
          (if (result i32) (i32.eq (local.get $rows) (i32.const -1))
            (then (i32.add (local.get $from) (local.get $r)))
            (else (i32.load (i32.add (local.get $rows)
              (i32.shl (i32.add (local.get $from) (local.get $r)) (i32.const 2)))))))
        (local.set $p (i32.shl (local.get $r) (i32.const 2)))
        (local.set $norm (f64.load (i32.add (local.get $norms) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $err (f64.add (f64.mul (local.get $perNorm) (local.get $norm)) (local.get $constant)))
        (local.set $v1 (f64.promote_f32 (f32.load (i32.add (local.get $s1) (local.get $p)))))
        (local.set $v2 (f64.promote_f32 (f32.load (i32.add (local.get $s2) (local.get $p)))))
        (if (f64.gt (f64.sub (local.get $v2) (local.get $v1)) (f64.mul (f64.const 2) (local.get $err)))
          (then
            (local.set $j (i32.load (i32.add (local.get $js) (local.get $p))))
            (local.set $xx (f64.mul (local.get $norm) (local.get $norm)))
            (f64.store (i32.add (local.get $upper) (i32.shl (local.get $i) (i32.const 3)))
              (f64.sqrt (f64.max (f64.const 0)
                (f64.add (f64.add (local.get $xx) (local.get $v1)) (local.get $err)))))
            (f64.store (i32.add (local.get $lower) (i32.shl (local.get $i) (i32.const 3)))
              (f64.sqrt (f64.max (f64.const 0)
                (f64.sub (f64.add (local.get $xx) (local.get $v2)) (local.get $err)))))
            (local.set $old (i32.load (i32.add (local.get $labels) (i32.shl (local.get $i) (i32.const 2)))))
            (if (i32.ne (local.get $old) (local.get $j)) (then
              (i32.store (i32.add (local.get $labels) (i32.shl (local.get $i) (i32.const 2))) (local.get $j))
              (i32.store (i32.add (local.get $changed) (i32.shl (local.get $nc) (i32.const 3))) (local.get $i))
              (i32.store offset=4 (i32.add (local.get $changed) (i32.shl (local.get $nc) (i32.const 3))) (local.get $old))
              (local.set $nc (i32.add (local.get $nc) (i32.const 1))))))
          (else
            (i32.store (i32.add (local.get $rescan) (i32.shl (local.get $nr) (i32.const 2))) (local.get $i))
            (local.set $nr (i32.add (local.get $nr) (i32.const 1)))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $decide)))
    (i32.store (local.get $counts) (local.get $nc))
    (i32.store offset=4 (local.get $counts) (local.get $nr)))

  ;; k-means++ seeding: squared distances of rows [from, from + w) to m candidates from their
  ;; scores y (m x w, fp32), out[t·n + i] = max(0, sq[i] + y[t·w + i − from]) in float64.
  (func (export "widen")
    (param $y i32) (param $m i32) (param $w i32) (param $from i32) (param $n i32)
    (param $sq i32) (param $out i32)
    (local $t i32) (local $r i32) (local $w2 i32) (local $py i32) (local $ps i32) (local $po i32)
    (local.set $w2 (i32.and (local.get $w) (i32.const -2)))
    (block $done
      (loop $cands
        (br_if $done (i32.ge_u (local.get $t) (local.get $m)))
        (local.set $py (i32.add (local.get $y) (i32.shl (i32.mul (local.get $t) (local.get $w)) (i32.const 2))))
        (local.set $ps (i32.add (local.get $sq) (i32.shl (local.get $from) (i32.const 3))))
        (local.set $po (i32.add (local.get $out)
          (i32.shl (i32.add (i32.mul (local.get $t) (local.get $n)) (local.get $from)) (i32.const 3))))
        (local.set $r (i32.const 0))
        (block $d1 (loop $pairs
          (br_if $d1 (i32.ge_u (local.get $r) (local.get $w2)))
          (v128.store (local.get $po)
            (f64x2.max (f64x2.splat (f64.const 0))
              (f64x2.add (v128.load (local.get $ps))
                (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $py))))))
          (local.set $py (i32.add (local.get $py) (i32.const 8)))
          (local.set $ps (i32.add (local.get $ps) (i32.const 16)))
          (local.set $po (i32.add (local.get $po) (i32.const 16)))
          (local.set $r (i32.add (local.get $r) (i32.const 2)))
          (br $pairs)))
        (if (i32.lt_u (local.get $r) (local.get $w)) (then
          (f64.store (local.get $po)
            (f64.max (f64.const 0)
              (f64.add (f64.load (local.get $ps)) (f64.promote_f32 (f32.load (local.get $py))))))))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $cands))))

  ;; k-means++ seeding: row[i] = min(closest[i], row[i]) for i < n; returns their sum (two
  ;; running sums, even and odd i, added at the end).
  (func (export "potential") (param $closest i32) (param $row i32) (param $n i32) (result f64)
    (local $i i32) (local $n2 i32) (local $s v128) (local $d v128) (local $tail f64)
    (local.set $n2 (i32.and (local.get $n) (i32.const -2)))
    (block $done
      (loop $pairs
        (br_if $done (i32.ge_u (local.get $i) (local.get $n2)))
        (local.set $d (f64x2.min
          (v128.load (i32.add (local.get $closest) (i32.shl (local.get $i) (i32.const 3))))
          (v128.load (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 3))))))
        (v128.store (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 3))) (local.get $d))
        (local.set $s (f64x2.add (local.get $s) (local.get $d)))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $pairs)))
    (if (i32.lt_u (local.get $i) (local.get $n)) (then
      (local.set $tail (f64.min
        (f64.load (i32.add (local.get $closest) (i32.shl (local.get $i) (i32.const 3))))
        (f64.load (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 3))))))
      (f64.store (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 3))) (local.get $tail))))
    (f64.add (f64.add (f64x2.extract_lane 0 (local.get $s)) (f64x2.extract_lane 1 (local.get $s)))
             (local.get $tail)))
;; Cluster sums: for each row i < n, sizes[labels[i]] += 1 and sums[labels[i]] += x_i (float64
  ;; sums of the fp32 rows, element by element in row order). sums and sizes start as they are.
  (func (export "addRows")
    (param $n i32) (param $labels i32) (param $x i32) (param $dims i32) (param $sums i32) (param $sizes i32)
    (local $i i32) (local $j i32) (local $p i32) (local $q i32) (local $e i32) (local $ps i32)
    (local.set $p (local.get $x))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $j (i32.load (i32.add (local.get $labels) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $ps (i32.add (local.get $sizes) (i32.shl (local.get $j) (i32.const 2))))
        (i32.store (local.get $ps) (i32.add (i32.load (local.get $ps)) (i32.const 1)))
        (local.set $q (i32.add (local.get $sums) (i32.shl (i32.mul (local.get $j) (local.get $dims)) (i32.const 3))))
        (local.set $e (i32.add (local.get $p) (i32.shl (local.get $dims) (i32.const 2))))
        (call $addTo (local.get $q) (local.get $p) (local.get $e))
        (local.set $p (local.get $e))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))

  ;; f64 values at $q += fp32 values at [$p, $e), two at a time.
  (func $addTo (param $q i32) (param $p i32) (param $e i32)
    (block $d1 (loop $pairs
      (br_if $d1 (i32.gt_u (i32.add (local.get $p) (i32.const 8)) (local.get $e)))
      (v128.store (local.get $q) (f64x2.add (v128.load (local.get $q))
        (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $p)))))
      (local.set $p (i32.add (local.get $p) (i32.const 8)))
      (local.set $q (i32.add (local.get $q) (i32.const 16)))
      (br $pairs)))
    (if (i32.lt_u (local.get $p) (local.get $e)) (then
      (f64.store (local.get $q) (f64.add (f64.load (local.get $q)) (f64.promote_f32 (f32.load (local.get $p))))))))

  ;; f64 values at $q −= fp32 values at [$p, $e), two at a time.
  (func $subFrom (param $q i32) (param $p i32) (param $e i32)
    (block $d1 (loop $pairs
      (br_if $d1 (i32.gt_u (i32.add (local.get $p) (i32.const 8)) (local.get $e)))
      (v128.store (local.get $q) (f64x2.sub (v128.load (local.get $q))
        (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $p)))))
      (local.set $p (i32.add (local.get $p) (i32.const 8)))
      (local.set $q (i32.add (local.get $q) (i32.const 16)))
      (br $pairs)))
    (if (i32.lt_u (local.get $p) (local.get $e)) (then
      (f64.store (local.get $q) (f64.sub (f64.load (local.get $q)) (f64.promote_f32 (f32.load (local.get $p))))))))

  ;; Rows that changed cluster: for t < count, i = list[2t] moved from list[2t + 1] to labels[i]:
  ;; its values leave that cluster's sum and join the other's, and the sizes follow.
  (func (export "moves")
    (param $list i32) (param $count i32) (param $labels i32) (param $x i32) (param $dims i32)
    (param $sums i32) (param $sizes i32)
    (local $t i32) (local $i i32) (local $from i32) (local $to i32) (local $p i32) (local $e i32)
    (local $row i32) (local $ps i32)
    (local.set $row (i32.shl (local.get $dims) (i32.const 2)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $t) (local.get $count)))
        (local.set $i (i32.load (i32.add (local.get $list) (i32.shl (local.get $t) (i32.const 3)))))
        (local.set $from (i32.load offset=4 (i32.add (local.get $list) (i32.shl (local.get $t) (i32.const 3)))))
        (local.set $to (i32.load (i32.add (local.get $labels) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $ps (i32.add (local.get $sizes) (i32.shl (local.get $from) (i32.const 2))))
        (i32.store (local.get $ps) (i32.sub (i32.load (local.get $ps)) (i32.const 1)))
        (local.set $ps (i32.add (local.get $sizes) (i32.shl (local.get $to) (i32.const 2))))
        (i32.store (local.get $ps) (i32.add (i32.load (local.get $ps)) (i32.const 1)))
        (local.set $p (i32.add (local.get $x) (i32.mul (local.get $i) (local.get $row))))
        (local.set $e (i32.add (local.get $p) (local.get $row)))
        (call $subFrom (i32.add (local.get $sums) (i32.shl (i32.mul (local.get $from) (local.get $dims)) (i32.const 3)))
          (local.get $p) (local.get $e))
        (call $addTo (i32.add (local.get $sums) (i32.shl (i32.mul (local.get $to) (local.get $dims)) (i32.const 3)))
          (local.get $p) (local.get $e))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $each))))

  ;; Σ_i ||x_i − c_labels[i]||² in float64 over rows i < n (c: float64, k x dims), each row's sum
  ;; taken exactly as assign.ts's dist2 takes it: four running sums s0..s3 over the elements
  ;; (element t into s(t mod 4); the last dims mod 4 into s0), then s0 + s1 + (s2 + s3).
  (func (export "inertia")
    (param $n i32) (param $labels i32) (param $x i32) (param $dims i32) (param $centers i32) (result f64)
    (local $i i32) (local $p i32) (local $q i32) (local $e4 i32) (local $end i32) (local $row i32)
    (local $a v128) (local $b v128) (local $d v128) (local $s0 f64) (local $t f64) (local $total f64)
    (local.set $row (i32.shl (local.get $dims) (i32.const 2)))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $p (i32.add (local.get $x) (i32.mul (local.get $i) (local.get $row))))
        (local.set $end (i32.add (local.get $p) (local.get $row)))
        (local.set $e4 (i32.add (local.get $p) (i32.shl (i32.and (local.get $dims) (i32.const -4)) (i32.const 2))))
        (local.set $q (i32.add (local.get $centers)
          (i32.shl (i32.mul (i32.load (i32.add (local.get $labels) (i32.shl (local.get $i) (i32.const 2))))
                            (local.get $dims)) (i32.const 3))))
        (local.set $a (f64x2.splat (f64.const 0)))
        (local.set $b (local.get $a))
        (block $d1 (loop $quads
          (br_if $d1 (i32.ge_u (local.get $p) (local.get $e4)))
          (local.set $d (f64x2.sub (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $p))) (v128.load (local.get $q))))
          (local.set $a (f64x2.add (local.get $a) (f64x2.mul (local.get $d) (local.get $d))))
          (local.set $d (f64x2.sub (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (local.get $p))) (v128.load offset=16 (local.get $q))))
          (local.set $b (f64x2.add (local.get $b) (f64x2.mul (local.get $d) (local.get $d))))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (local.set $q (i32.add (local.get $q) (i32.const 32)))
          (br $quads)))
        (local.set $s0 (f64x2.extract_lane 0 (local.get $a)))
        (block $d2 (loop $tail
          (br_if $d2 (i32.ge_u (local.get $p) (local.get $end)))
          (local.set $t (f64.sub (f64.promote_f32 (f32.load (local.get $p))) (f64.load (local.get $q))))
          (local.set $s0 (f64.add (local.get $s0) (f64.mul (local.get $t) (local.get $t))))
          (local.set $p (i32.add (local.get $p) (i32.const 4)))
          (local.set $q (i32.add (local.get $q) (i32.const 8)))
          (br $tail)))
        (local.set $total (f64.add (local.get $total)
          (f64.add (f64.add (local.get $s0) (f64x2.extract_lane 1 (local.get $a)))
                   (f64.add (f64x2.extract_lane 0 (local.get $b)) (f64x2.extract_lane 1 (local.get $b))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows)))
    (local.get $total))
)
