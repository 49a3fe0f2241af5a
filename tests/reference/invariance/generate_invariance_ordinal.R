# Golden values for invariance(..., ordered=True): multi-group ordinal CFA as lavaan 0.6
# (`cfa(..., group =, ordered =)`, estimator WLSMV: DWLS on per-group polychoric correlations,
# delta parameterisation, scaled-and-shifted test) with lavaan's own group.equal sequence
#   configural -> c("thresholds") -> c("thresholds", "loadings")
# and the nested difference tests of lavTestLRT (method "satorra.2000", A.method "delta",
# scaled.shifted = TRUE: lavaan's default for WLSMV).
# Data are simulated here with a fixed seed (five-point items; one dataset with planted
# threshold DIF). Run from the repository root:
#   Rscript tests/reference/invariance/generate_invariance_ordinal.R
suppressPackageStartupMessages(library(lavaan))
here <- "tests/reference/invariance"
out <- function(x, f) write.csv(x, file.path(here, f), row.names = FALSE)

cuts <- c(-1.5, -0.5, 0.4, 1.3)
likert <- function(eta, lambda, shift = 0) {
  # latent response lambda * eta + unique part (total variance about 1), cut into 5 categories
  ystar <- lambda * eta + rnorm(length(eta), sd = sqrt(1 - lambda^2))
  findInterval(ystar, cuts + shift) + 1L
}
simulate <- function(sizes, means, factors, dif = list()) {
  # factors: list(factor = c(item = loading, ...)); dif: list(item = c(group shift...))
  do.call(rbind, lapply(seq_along(sizes), function(g) {
    n <- sizes[g]
    cols <- list()
    eta_prev <- NULL
    for (f in names(factors)) {
      eta <- rnorm(n, means[g], 1)
      if (!is.null(eta_prev)) eta <- 0.5 * eta_prev + sqrt(0.75) * eta
      eta_prev <- eta
      for (it in names(factors[[f]])) {
        shift <- if (!is.null(dif[[it]])) dif[[it]][g] else 0
        cols[[it]] <- likert(eta, factors[[f]][[it]], shift)
      }
    }
    data.frame(cols, language = c("fr", "nl", "de")[g])
  }))
}
check_categories <- function(d, items) {
  for (it in items) {
    tab <- table(d[[it]], d$language)
    stopifnot(nrow(tab) == 5, all(tab > 0))
  }
}

set.seed(20261202)
one <- simulate(c(200, 250, 300), c(0, 0.2, -0.3),
                list(f = c(y1 = 0.75, y2 = 0.7, y3 = 0.65, y4 = 0.8, y5 = 0.6)))
two <- simulate(c(240, 180), c(0, 0.3),
                list(f1 = c(a1 = 0.75, a2 = 0.7, a3 = 0.65), f2 = c(b1 = 0.8, b2 = 0.7, b3 = 0.6)))
dif <- simulate(c(220, 220, 220), c(0, 0, 0),
                list(f = c(y1 = 0.75, y2 = 0.7, y3 = 0.65, y4 = 0.8, y5 = 0.6)),
                dif = list(y3 = c(0, 0.7, -0.7)))
check_categories(one, paste0("y", 1:5)); check_categories(dif, paste0("y", 1:5))
check_categories(two, c(paste0("a", 1:3), paste0("b", 1:3)))
out(one, "ordinal_groups_one.csv")
out(two, "ordinal_groups_two.csv")
out(dif, "ordinal_groups_dif.csv")

cases <- list(
  one = list(data = one, model = "f =~ y1 + y2 + y3 + y4 + y5", items = paste0("y", 1:5)),
  # the same data with the groups in the reverse order (de, nl, fr): lavaan's reference group
  # (scale factors 1, latent means 0) is the first group in the data
  one_reversed = list(data = one[rev(seq_len(nrow(one))), ], model = "f =~ y1 + y2 + y3 + y4 + y5",
                      items = paste0("y", 1:5)),
  # items with different numbers of categories: y5 collapsed to three (1-2, 3, 4-5)
  mixed = list(data = transform(one, y5 = c(1L, 1L, 2L, 3L, 3L)[y5]),
               model = "f =~ y1 + y2 + y3 + y4 + y5", items = paste0("y", 1:5)),
  two = list(data = two, model = "f1 =~ a1 + a2 + a3\n f2 =~ b1 + b2 + b3",
             items = c(paste0("a", 1:3), paste0("b", 1:3))),
  dif = list(data = dif, model = "f =~ y1 + y2 + y3 + y4 + y5", items = paste0("y", 1:5)),
  # partial: the loading of y3 free in the thresholds-and-loadings model
  dif_partial = list(data = dif, model = "f =~ y1 + y2 + y3 + y4 + y5", items = paste0("y", 1:5),
                     partial = "f =~ y3")
)
steps <- list(configural = "", thresholds = "thresholds", thresholds_loadings = c("thresholds", "loadings"))
fmo <- c("chisq", "df", "chisq.scaled", "df.scaled", "pvalue.scaled", "chisq.scaling.factor",
         "chisq.shift.parameters", "cfi.scaled", "tli.scaled", "rmsea.scaled",
         "rmsea.ci.lower.scaled", "rmsea.ci.upper.scaled", "baseline.chisq", "baseline.df",
         "baseline.chisq.scaled", "srmr", "ntotal")
fit_rows <- list(); est_rows <- list()
for (name in names(cases)) {
  cs <- cases[[name]]
  partial <- if (is.null(cs$partial)) "" else cs$partial
  fits <- lapply(steps, function(eq) cfa(cs$model, cs$data, group = "language", ordered = cs$items,
                                         estimator = "WLSMV", parameterization = "delta",
                                         group.equal = eq, group.partial = partial))
  for (k in seq_along(fits)) {
    fm <- as.list(unclass(fitMeasures(fits[[k]], fmo)))
    names(fm) <- gsub(".", "_", names(fm), fixed = TRUE)
    diff <- list(chisq_diff = NA_real_, df_diff = NA_real_, diff_p_value = NA_real_)
    if (k > 1) {
      lrt <- lavTestLRT(fits[[k - 1]], fits[[k]], method = "satorra.2000", A.method = "delta",
                        scaled.shifted = TRUE)
      diff <- list(chisq_diff = lrt[["Chisq diff"]][2], df_diff = lrt[["Df diff"]][2],
                   diff_p_value = lrt[["Pr(>Chisq)"]][2])
    }
    fit_rows[[length(fit_rows) + 1]] <- data.frame(dataset = name, model = names(steps)[k], fm, diff,
                                                   converged = lavInspect(fits[[k]], "converged"))
    pe <- parameterEstimates(fits[[k]])
    pe <- pe[pe$op %in% c("=~", "|", "~*~", "~~", "~1") & (pe$op != "~~" | pe$lhs %in% lavNames(fits[[k]], "lv")) &
             (pe$op != "~1" | pe$lhs %in% lavNames(fits[[k]], "lv")), ]
    est_rows[[length(est_rows) + 1]] <- data.frame(dataset = name, model = names(steps)[k],
      group = pe$group, lhs = pe$lhs, op = pe$op, rhs = pe$rhs, est = pe$est)
  }
}

# Wu & Estabrook (2016) identification of the thresholds model (deliberval's
# ordinal_identification = "wu_estabrook"): thresholds equal, latent-response intercepts free in
# groups 2..G, latent means 0; written out by hand as lavaan syntax (semTools' measEq.syntax
# would write the same). The configural and thresholds-and-loadings models are lavaan's.
we_syntax <- function(model, items, factors, G) {
  free <- paste(rep("NA", G - 1), collapse = ", ")
  zeros <- paste(rep("0", G), collapse = ", ")
  labels <- function(it) paste0("nu_", it, "_", seq_len(G), collapse = ", ")
  paste(c(model,
          paste0(factors, " ~ c(", zeros, ")*1"),
          paste0(items, " ~ c(", sapply(items, labels), ")*1 + c(0, ", free, ")*1")),
        collapse = "\n")
}
we_cases <- list(one = c("f"), one_reversed = c("f"), mixed = c("f"), two = c("f1", "f2"), dif = c("f"))
for (name in names(we_cases)) {
  cs <- cases[[name]]
  G <- length(unique(cs$data$language))
  fits <- list(
    configural = cfa(cs$model, cs$data, group = "language", ordered = cs$items, estimator = "WLSMV"),
    thresholds = cfa(we_syntax(cs$model, cs$items, we_cases[[name]], G), cs$data, group = "language",
                     ordered = cs$items, estimator = "WLSMV", group.equal = "thresholds"),
    thresholds_loadings = cfa(cs$model, cs$data, group = "language", ordered = cs$items,
                              estimator = "WLSMV", group.equal = c("thresholds", "loadings")))
  for (k in seq_along(fits)) {
    fm <- as.list(unclass(fitMeasures(fits[[k]], fmo)))
    names(fm) <- gsub(".", "_", names(fm), fixed = TRUE)
    diff <- list(chisq_diff = NA_real_, df_diff = NA_real_, diff_p_value = NA_real_)
    if (k > 1) {
      lrt <- lavTestLRT(fits[[k - 1]], fits[[k]], method = "satorra.2000", A.method = "delta",
                        scaled.shifted = TRUE)
      diff <- list(chisq_diff = lrt[["Chisq diff"]][2], df_diff = lrt[["Df diff"]][2],
                   diff_p_value = lrt[["Pr(>Chisq)"]][2])
    }
    fit_rows[[length(fit_rows) + 1]] <- data.frame(dataset = paste0(name, "_wu_estabrook"),
                                                   model = names(fits)[k], fm, diff,
                                                   converged = lavInspect(fits[[k]], "converged"))
  }
}
out(do.call(rbind, fit_rows), "ordinal_groups_fit.csv")
out(do.call(rbind, est_rows), "ordinal_groups_estimates.csv")
out(data.frame(package = c("R", "lavaan"), version = c(R.version.string, as.character(packageVersion("lavaan")))),
    "ordinal_groups_versions.csv")
