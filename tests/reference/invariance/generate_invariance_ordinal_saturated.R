# Golden values: ordinal multi-group invariance of a one-factor, three-item scale, whose
# configural model is saturated (df 0). Data: ordinal_three_items_data.csv (two groups of 300,
# five-point items simulated in Python with numpy's default_rng(1); loadings 0.8, 0.7, 0.6).
# lavaan reports chisq.scaled 0, pvalue NA, CFI and TLI 1, RMSEA 0 for the saturated model.
# Run from this folder: Rscript generate_invariance_ordinal_saturated.R
suppressMessages(library(lavaan))
d <- read.csv("ordinal_three_items_data.csv")
m <- "f =~ y0 + y1 + y2"
it <- c("y0", "y1", "y2")
fit <- function(eq) cfa(m, d, group = "language", ordered = it, estimator = "WLSMV",
                        parameterization = "delta", group.equal = eq)
fits <- list(configural = fit(""), thresholds = fit("thresholds"),
             thresholds_loadings = fit(c("thresholds", "loadings")))
lrt <- lavTestLRT(fits[[1]], fits[[2]], fits[[3]], method = "satorra.2000")
out <- do.call(rbind, lapply(names(fits), function(k) {
  fm <- fitMeasures(fits[[k]], c("chisq.scaled", "df.scaled", "pvalue.scaled", "cfi.scaled",
                                 "tli.scaled", "rmsea.scaled"))
  data.frame(model = k, chisq_scaled = fm[[1]], df = fm[[2]], pvalue_scaled = fm[[3]],
             cfi_scaled = fm[[4]], tli_scaled = fm[[5]], rmsea_scaled = fm[[6]])
}))
out$chisq_diff <- c(NA, lrt[["Chisq diff"]][-1])
out$diff_p_value <- c(NA, lrt[["Pr(>Chisq)"]][-1])
write.csv(out, "ordinal_three_items_fit.csv", row.names = FALSE)
writeLines(paste("lavaan", packageVersion("lavaan"), "|", R.version.string),
           "ordinal_three_items_versions.txt")
