# Golden values for deliberval.analysis.cfa.invariance (issue 19): multi-group, partial and
# longitudinal invariance, RMSEA_D. Run from anywhere:
#   Rscript tests/reference/invariance/generate_invariance.R
# Writes the input datasets (CSV) and lavaan's results (CSV) next to this script.
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("--file=", "", args[grep("--file=", args)])))
out <- function(df, name) write.csv(df, file.path(here, name), row.names = FALSE)
out(data.frame(package = c("R", "lavaan"),
               version = c(R.version.string, as.character(packageVersion("lavaan")))), "versions.csv")

# ---- datasets -----------------------------------------------------------------------------
# 1. four language groups, four 5-point items; item b's intercept 0.5 higher in groups 3 and 4
set.seed(20261202)
lam <- c(0.8, 0.7, 0.75, 0.65); cuts <- c(-Inf, -1.2, -0.4, 0.3, 1.0, Inf)
langs <- c("da", "de", "fr", "nl"); n_g <- 150
groups <- lapply(seq_along(langs), function(g) {
  f <- rnorm(n_g) + 0.2 * (g - 1)
  shift <- c(0, if (g >= 3) 0.5 else 0, 0, 0)
  x <- sapply(1:4, function(j) as.integer(cut(lam[j] * f + sqrt(1 - lam[j]^2) * rnorm(n_g) + shift[j], cuts)))
  colnames(x) <- c("a", "b", "c", "d")
  data.frame(language = langs[g], x)
})
lang <- do.call(rbind, groups)
out(lang, "languages.csv")

# 2. a two-wave panel in long form: 300 respondents, five items, post mean 0.3 higher, item
# residuals correlated over time (a stable specific part); 20 respondents miss the post wave
# and 10 skip one item once (dropped listwise by the longitudinal model)
n <- 300
f1 <- rnorm(n); f2 <- 0.6 * f1 + 0.8 * rnorm(n) + 0.3
lam5 <- c(0.8, 0.7, 0.75, 0.6, 0.65)
spec <- matrix(rnorm(n * 5, sd = 0.35), n)
wave_items <- function(f) sapply(1:5, function(j) lam5[j] * f + spec[, j] + sqrt(1 - lam5[j]^2 - 0.35^2) * rnorm(n))
pre <- data.frame(respondent_id = 1:n, wave = "pre", round(3 + wave_items(f1), 2))
post <- data.frame(respondent_id = 1:n, wave = "post", round(3 + wave_items(f2), 2))
colnames(pre)[3:7] <- colnames(post)[3:7] <- paste0("y", 1:5)
post <- post[-(1:20), ]
pre[21:30, "y3"] <- NA
panel <- rbind(pre, post)
out(panel, "panel_long.csv")

# ---- results --------------------------------------------------------------------------------
fm <- c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "srmr")
rows <- list()
rmsea_d <- function(dchi, ddf, n, g, level = 0.90) {
  # Savalei et al. (2023): the RMSEA formula applied to the difference test; interval from the
  # noncentral chi-square, as lavaan's RMSEA interval (N, not N - 1, as lavaan's ML RMSEA)
  point <- sqrt(max(dchi - ddf, 0) / (ddf * n)) * sqrt(g)
  ncp <- function(prob) {
    if (pchisq(dchi, ddf) < prob) return(0)
    uniroot(function(l) pchisq(dchi, ddf, ncp = l) - prob, c(0, max(dchi, 1) * 10), tol = 1e-12)$root
  }
  a <- (1 - level) / 2
  c(point, sqrt(ncp(1 - a) / (n * ddf)) * sqrt(g), sqrt(ncp(a) / (n * ddf)) * sqrt(g))
}
record <- function(dataset, fits, g) {
  l <- lavTestLRT(fits[[1]], fits[[2]], fits[[3]])
  n <- lavInspect(fits[[1]], "ntotal")
  for (k in 1:3) {
    m <- as.list(unclass(fitMeasures(fits[[k]], fm))); names(m) <- gsub(".", "_", names(m), fixed = TRUE)
    d <- if (k == 1) c(NA, NA, NA) else rmsea_d(l$`Chisq diff`[k], l$`Df diff`[k], n, g)
    rows[[paste(dataset, k)]] <<- data.frame(dataset = dataset, model = names(fits)[k], m, n = n,
      chisq_diff = l$`Chisq diff`[k], df_diff = l$`Df diff`[k], diff_p_value = l$`Pr(>Chisq)`[k],
      rmsea_d = d[1], rmsea_d_ci_low = d[2], rmsea_d_ci_high = d[3])
  }
}
est_rows <- list()
estimates <- function(dataset, model, fit) {
  pe <- parameterEstimates(fit)
  pe <- pe[pe$op %in% c("=~", "~1", "~~"), ]
  grp <- if (is.null(pe$group)) 1L else pe$group
  est_rows[[paste(dataset, model)]] <<- data.frame(dataset = dataset, model = model, group = grp,
    lhs = pe$lhs, op = pe$op, rhs = pe$rhs, est = pe$est)
}

# 1a. languages: group.equal, and partial scalar with b's intercept free
hs_groups <- function(data, model, group, partial = character(0)) {
  list(configural = cfa(model, data, group = group),
       metric = cfa(model, data, group = group, group.equal = "loadings", group.partial = partial),
       scalar = cfa(model, data, group = group, group.equal = c("loadings", "intercepts"), group.partial = partial))
}
lm <- "f =~ a + b + c + d"
fits <- hs_groups(lang, lm, "language"); record("languages", fits, 4)
fits <- hs_groups(lang, lm, "language", "b ~ 1"); names(fits)[3] <- "partial_scalar"
record("languages_partial_b", fits, 4)
estimates("languages_partial_b", "partial_scalar", fits[[3]])
# 1b. Holzinger-Swineford by school, intercepts of x3 and x7 free (the usual partial model),
# and a loading freed (x2 on visual) for a partial metric model
hs <- lavaan::HolzingerSwineford1939
hs_model <- "visual =~ x1 + x2 + x3\n textual =~ x4 + x5 + x6\n speed =~ x7 + x8 + x9"
out(hs[, c("id", "school", paste0("x", 1:9))], "holzinger_swineford.csv")
fits <- hs_groups(hs, hs_model, "school", c("x3 ~ 1", "x7 ~ 1")); names(fits)[3] <- "partial_scalar"
record("hs_partial_x3_x7", fits, 2)
estimates("hs_partial_x3_x7", "partial_scalar", fits[[3]])
fits <- hs_groups(hs, hs_model, "school", c("visual =~ x2", "x3 ~ 1", "x7 ~ 1"))
names(fits)[2:3] <- c("partial_metric", "partial_scalar")
record("hs_partial_x2_x3_x7", fits, 2)
estimates("hs_partial_x2_x3_x7", "partial_metric", fits[[2]])

# 2. longitudinal: wide data, one factor per wave, same-item residuals correlated
wide <- merge(pre, post, by = "respondent_id", suffixes = c("_pre", "_post"))
wide <- wide[complete.cases(wide), ]
it <- paste0("y", 1:5)
long_model <- function(metric, scalar, partial = character(0)) {
  lab <- function(prefix, j, free) if (free) "" else paste0(prefix, j, "*")
  load <- function(w) paste0("f_", w, " =~ ", paste0(sapply(1:5, function(j)
    if (j == 1) paste0("1*y1_", w) else paste0(lab("l", j, !metric || paste0("f =~ y", j) %in% partial), "y", j, "_", w)), collapse = " + "))
  ints <- unlist(lapply(c("pre", "post"), function(w) sapply(1:5, function(j)
    paste0("y", j, "_", w, " ~ ", lab("i", j, !scalar || paste0("y", j, " ~ 1") %in% partial), "1"))))
  resid <- paste0("y", 1:5, "_pre ~~ y", 1:5, "_post")
  means <- if (scalar) c("f_pre ~ 0*1", "f_post ~ NA*1") else c("f_pre ~ 0*1", "f_post ~ 0*1")
  paste(c(load("pre"), load("post"), ints, resid, means), collapse = "\n")
}
fits <- list(configural = cfa(long_model(FALSE, FALSE), wide, meanstructure = TRUE),
             metric = cfa(long_model(TRUE, FALSE), wide, meanstructure = TRUE),
             scalar = cfa(long_model(TRUE, TRUE), wide, meanstructure = TRUE))
record("panel_longitudinal", fits, 1)
estimates("panel_longitudinal", "scalar", fits[[3]])
fits <- list(configural = fits[[1]],
             partial_metric = cfa(long_model(TRUE, FALSE, "f =~ y4"), wide, meanstructure = TRUE),
             partial_scalar = cfa(long_model(TRUE, TRUE, c("f =~ y4", "y2 ~ 1")), wide, meanstructure = TRUE))
record("panel_longitudinal_partial", fits, 1)

# 3. robust ML (MLR, Yuan-Bentler scaled test, lavaan's Mplus variant) and FIML: the language
# data with about 8 % of answers missing at random and three empty rows (ignored by lavaan)
set.seed(7)
lmiss <- lang
for (j in c("a", "b", "c", "d")) lmiss[runif(nrow(lmiss)) < 0.08, j] <- NA
lmiss[1:3, c("a", "b", "c", "d")] <- NA
out(lmiss, "languages_missing.csv")
fms <- c("chisq", "df", "chisq.scaled", "pvalue.scaled", "chisq.scaling.factor", "cfi.scaled",
         "tli.scaled", "rmsea.scaled", "rmsea.ci.lower.scaled", "rmsea.ci.upper.scaled", "srmr",
         "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper")
rob_rows <- list()
record_robust <- function(dataset, fits, g) {
  l <- lavTestLRT(fits[[1]], fits[[2]], fits[[3]])  # MLR: method = "satorra.bentler.2001"
  n <- lavInspect(fits[[1]], "ntotal")
  for (k in 1:3) {
    fmk <- fitMeasures(fits[[k]])
    m <- lapply(fms, function(x) if (x %in% names(fmk)) unname(unclass(fmk[x])) else NA_real_)
    names(m) <- gsub(".", "_", fms, fixed = TRUE)
    rob_rows[[paste(dataset, k)]] <<- data.frame(dataset = dataset, model = names(fits)[k], m,
      n = n, chisq_diff = l$`Chisq diff`[k], df_diff = l$`Df diff`[k], diff_p_value = l$`Pr(>Chisq)`[k])
  }
}
mg <- function(data, est, miss, partial = character(0)) {
  list(configural = cfa(lm, data, group = "language", estimator = est, missing = miss),
       metric = cfa(lm, data, group = "language", estimator = est, missing = miss,
                    group.equal = "loadings", group.partial = partial),
       scalar = cfa(lm, data, group = "language", estimator = est, missing = miss,
                    group.equal = c("loadings", "intercepts"), group.partial = partial))
}
fits <- suppressWarnings(mg(lmiss, "MLR", "fiml")); record_robust("languages_mlr_fiml", fits, 4)
estimates("languages_mlr_fiml", "configural", fits[[1]])
fits <- mg(lmiss, "MLR", "listwise"); record_robust("languages_mlr_listwise", fits, 4)
estimates("languages_mlr_listwise", "configural", fits[[1]])
fits <- suppressWarnings(mg(lmiss, "ML", "fiml")); record_robust("languages_ml_fiml", fits, 4)
# longitudinal, every respondent with at least one answer (FIML), MLR
wide_all <- merge(pre, post, by = "respondent_id", all = TRUE, suffixes = c("_pre", "_post"))
fits <- list(configural = cfa(long_model(FALSE, FALSE), wide_all, meanstructure = TRUE, estimator = "MLR", missing = "fiml"),
             metric = cfa(long_model(TRUE, FALSE), wide_all, meanstructure = TRUE, estimator = "MLR", missing = "fiml"),
             scalar = cfa(long_model(TRUE, TRUE), wide_all, meanstructure = TRUE, estimator = "MLR", missing = "fiml"))
record_robust("panel_longitudinal_mlr_fiml", fits, 1)
out(do.call(rbind, rob_rows), "invariance_robust_fit.csv")

# 4. ordinal items (lavaan's ordered =, estimator WLSMV: DWLS on polychoric correlations,
# scaled-and-shifted test): the language items pooled (one factor, 5 categories), and psych's
# bfi agreeableness and neuroticism items (two factors, 6 categories; A1 reversed)
suppressPackageStartupMessages(library(psych))
an <- na.omit(psych::bfi[, c(paste0("A", 1:5), paste0("N", 1:5))]); rownames(an) <- NULL
an$A1 <- 7L - an$A1
out(an, "bfi_agree_neuro.csv")
ord_rows <- list(); ord_est <- list()
fmo <- c("chisq", "df", "chisq.scaled", "pvalue.scaled", "chisq.scaling.factor", "chisq.shift.parameters",
         "cfi.scaled", "tli.scaled", "rmsea.scaled", "rmsea.ci.lower.scaled", "rmsea.ci.upper.scaled",
         "srmr", "baseline.chisq", "baseline.chisq.scaled")
do_ord <- function(dataset, model, data, items) {
  fit <- cfa(model, data, ordered = items)
  m <- as.list(unclass(fitMeasures(fit, fmo))); names(m) <- gsub(".", "_", names(m), fixed = TRUE)
  ord_rows[[dataset]] <<- data.frame(dataset = dataset, m, n = lavInspect(fit, "ntotal"))
  ss <- lavInspect(fit, "sampstat")
  pe <- parameterEstimates(fit); pe <- pe[pe$op %in% c("=~", "~~", "|"), ]
  st <- standardizedSolution(fit); st <- st[st$op %in% c("=~", "~~", "|"), ]
  g <- lavInspect(fit, "gamma")
  ord_est[[dataset]] <<- rbind(
    data.frame(dataset = dataset, kind = "estimate", lhs = pe$lhs, op = pe$op, rhs = pe$rhs, value = pe$est),
    data.frame(dataset = dataset, kind = "std_all", lhs = st$lhs, op = st$op, rhs = st$rhs, value = st$est.std),
    data.frame(dataset = dataset, kind = "gamma_diag", lhs = names(diag(g)), op = "", rhs = "", value = unname(diag(g))))
}
do_ord("languages_ordered", "f =~ a + b + c + d", lang, c("a", "b", "c", "d"))
do_ord("bfi_agree_neuro_ordered", "agree =~ A1 + A2 + A3 + A4 + A5\n neuro =~ N1 + N2 + N3 + N4 + N5",
       an, names(an))
out(do.call(rbind, ord_rows), "ordinal_fit.csv")
out(do.call(rbind, ord_est), "ordinal_estimates.csv")

# 5. cfa() standard errors of the loadings: ML (expected information), MLR (sandwich, with the
# mean structure), FIML (observed information), MLR + FIML, multi-group MLR + FIML
se_rows <- list()
do_se <- function(dataset, fit) {
  pe <- parameterEstimates(fit); pe <- pe[pe$op == "=~", ]
  grp <- if (is.null(pe$group)) 1L else pe$group
  fmk <- fitMeasures(fit)
  scaled <- if ("chisq.scaled" %in% names(fmk)) unname(fmk["chisq.scaled"]) else NA_real_
  se_rows[[dataset]] <<- data.frame(dataset = dataset, group = grp, factor = pe$lhs, item = pe$rhs,
    est = pe$est, se = pe$se, chisq = unname(fmk["chisq"]), chisq_scaled = scaled)
}
do_se("hs_ml", cfa(hs_model, hs))
do_se("hs_mlr", cfa(hs_model, hs, estimator = "MLR", meanstructure = TRUE))
do_se("languages_ml_fiml", suppressWarnings(cfa(lm, lmiss, missing = "fiml")))
do_se("languages_mlr_fiml", suppressWarnings(cfa(lm, lmiss, missing = "fiml", estimator = "MLR")))
do_se("languages_groups_mlr_fiml", suppressWarnings(cfa(lm, lmiss, group = "language", missing = "fiml", estimator = "MLR")))
out(do.call(rbind, se_rows), "cfa_standard_errors.csv")

out(do.call(rbind, rows), "invariance_fit.csv")
out(do.call(rbind, est_rows), "invariance_estimates.csv")
cat("done\n")
