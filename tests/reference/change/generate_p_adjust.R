# Golden values of R's p.adjust (Holm, BH) for deliberval.analysis._common.holm / benjamini_hochberg.
# Sets with ties, exact zeros and ones, values that pass 1 when scaled, and one single p-value.
# Run from this folder: Rscript generate_p_adjust.R  (writes p_adjust_expected.csv)
set.seed(20261202)
sets <- list(
  random = runif(40),
  small = c(runif(20, 0, 0.01), runif(20)),
  ties = c(0.01, 0.01, 0.02, 0.02, 0.02, 0.04, 0.5, 0.5, 1, 1, 0.001, 0.03),
  edges = c(0, 0, 1e-300, 0.049, 0.05, 0.051, 1),
  single = 0.3
)
rows <- list()
for (name in names(sets)) {
  p <- sets[[name]]
  rows[[name]] <- data.frame(set = name, position = seq_along(p), p_value = p,
                             holm_p_value = p.adjust(p, "holm"), bh_p_value = p.adjust(p, "BH"))
}
out <- do.call(rbind, rows)
write.csv(out, "p_adjust_expected.csv", row.names = FALSE)
cat(R.version.string, "\n")
