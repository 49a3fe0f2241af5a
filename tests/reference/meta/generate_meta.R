# Golden values for deliberval.analysis.meta (issue 20). Run from this folder:
#   Rscript generate_meta.R
# Uses metafor's own data sets (dat.bcg, dat.normand1999, dat.hackshaw1998) and a 3-study subset.
# REML / PM are solved to a tight tolerance (threshold = 1e-12) so that the goldens are the exact
# estimators (metafor's default stops at 1e-5).
suppressPackageStartupMessages(library(metafor))
ctl <- list(threshold = 1e-12, maxiter = 10000, tol = 1e-12)

bcg <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
nor <- escalc(measure = "MD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i,
              data = dat.normand1999)
hack <- dat.hackshaw1998
sets <- list(
  bcg = data.frame(unit = paste0(bcg$author, " ", bcg$year), yi = as.numeric(bcg$yi), vi = as.numeric(bcg$vi)),
  normand1999 = data.frame(unit = paste0(nor$source, " ", nor$study), yi = as.numeric(nor$yi), vi = as.numeric(nor$vi)),
  hackshaw1998 = data.frame(unit = paste0(hack$author, " ", hack$year, " #", hack$study), yi = hack$yi, vi = hack$vi)
)
sets$bcg3 <- sets$bcg[1:3, ]

data_out <- do.call(rbind, lapply(names(sets), function(n)
  data.frame(dataset = n, unit = sets[[n]]$unit, estimate = sets[[n]]$yi, se = sqrt(sets[[n]]$vi))))
write.csv(data_out, "meta_data.csv", row.names = FALSE)

summ <- list(); units <- list(); loo <- list()
for (n in names(sets)) for (m in c("REML", "DL", "PM")) for (tst in c("knha", "z", "adhoc")) {
  d <- sets[[n]]
  kh <- tst != "z"
  fit <- rma(yi = d$yi, vi = d$vi, method = m, test = tst, control = ctl)
  p <- predict(fit)
  summ[[length(summ) + 1]] <- data.frame(dataset = n, method = m, test = tst,
    estimate = as.numeric(fit$beta), se = fit$se, ci_low = fit$ci.lb, ci_high = fit$ci.ub,
    pi_low = p$pi.lb, pi_high = p$pi.ub, statistic = fit$zval, p_value = fit$pval,
    tau2 = fit$tau2, i2 = fit$I2, h2 = fit$H2, q = fit$QE, q_p_value = fit$QEp, n_units = fit$k)
  b <- blup(fit)
  units[[length(units) + 1]] <- data.frame(dataset = n, method = m, test = tst, unit = d$unit,
    weight = weights(fit) / 100, pooled_estimate = b$pred, pooled_se = b$se,
    pooled_ci_low = b$pi.lb, pooled_ci_high = b$pi.ub)
  l <- leave1out(fit)
  loo[[length(loo) + 1]] <- data.frame(dataset = n, method = m, test = tst, unit = d$unit,
    estimate = l$estimate, se = l$se, ci_low = l$ci.lb, ci_high = l$ci.ub, statistic = if (kh) l$tval else l$zval,
    p_value = l$pval, q = l$Q, q_p_value = l$Qp, tau2 = l$tau2, i2 = l$I2)
}
fmt <- function(x) { x[] <- lapply(x, function(v) if (is.numeric(v)) signif(v, 15) else v); x }
write.csv(fmt(do.call(rbind, summ)), "meta_summary_expected.csv", row.names = FALSE)
write.csv(fmt(do.call(rbind, units)), "meta_units_expected.csv", row.names = FALSE)
write.csv(fmt(do.call(rbind, loo)), "meta_leave1out_expected.csv", row.names = FALSE)
