# Golden values for deliberval.share_difference (tests/reference/sides).
# Input: share_counts.csv (item, role, count, n), hand-made counts, not example data:
# zeros, all agreeing, a side of one person, equal shares, a third side, an item without citizens.
# For every item and every side other than the reference (citizen) side:
#   Wilson intervals of each side's share: prop.test(x, n, correct = FALSE)$conf.int
#   Newcombe (1998) method 10 hybrid score interval of the difference p_side - p_ref, written out
#     from the two Wilson intervals (Newcombe 1998, eq. 10)
#   Fisher's exact test: fisher.test(2 x 2 table)$p.value (two-sided)
# Run: Rscript generate_share_difference.R (writes share_difference_golden.csv)
counts <- read.csv("share_counts.csv", stringsAsFactors = FALSE)
wilson <- function(x, n, level) {
  if (n == 0) return(c(NA, NA))
  as.numeric(suppressWarnings(prop.test(x, n, correct = FALSE, conf.level = level))$conf.int)
}
rows <- list()
for (level in c(0.95, 0.90)) {
  for (it in unique(counts$item)) {
    sub <- counts[counts$item == it, ]
    ref <- sub[sub$role == "citizen", ]
    for (i in seq_len(nrow(sub))) {
      s <- sub[i, ]
      if (s$role == "citizen") next
      w1 <- wilson(s$count, s$n, level)
      p1 <- s$count / s$n
      if (nrow(ref) == 0) {
        rows[[length(rows) + 1]] <- data.frame(
          item = it, role = s$role, confidence_level = level, share = p1,
          share_ci_low = w1[1], share_ci_high = w1[2], reference_share = NA,
          reference_share_ci_low = NA, reference_share_ci_high = NA,
          estimate = NA, ci_low = NA, ci_high = NA, exact_p_value = NA)
        next
      }
      w0 <- wilson(ref$count, ref$n, level)
      p0 <- ref$count / ref$n
      d <- p1 - p0
      low <- d - sqrt((p1 - w1[1])^2 + (w0[2] - p0)^2)
      high <- d + sqrt((w1[2] - p1)^2 + (p0 - w0[1])^2)
      tab <- matrix(c(s$count, s$n - s$count, ref$count, ref$n - ref$count), nrow = 2, byrow = TRUE)
      p <- fisher.test(tab)$p.value
      rows[[length(rows) + 1]] <- data.frame(
        item = it, role = s$role, confidence_level = level, share = p1,
        share_ci_low = w1[1], share_ci_high = w1[2], reference_share = p0,
        reference_share_ci_low = w0[1], reference_share_ci_high = w0[2],
        estimate = d, ci_low = low, ci_high = high, exact_p_value = p)
    }
  }
}
out <- do.call(rbind, rows)
write.csv(out, "share_difference_golden.csv", row.names = FALSE)
writeLines(c(R.version.string), "versions.txt")
