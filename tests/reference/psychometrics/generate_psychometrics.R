# Golden values for deliberval.analysis.psychometrics and deliberval.analysis.cfa.
# Run from anywhere: Rscript tests/reference/psychometrics/generate_psychometrics.R
# Writes the input datasets (CSV) and the R results (CSV) next to this script.
suppressPackageStartupMessages({library(psych); library(lavaan)})
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("--file=", "", args[grep("--file=", args)])))
out <- function(df, name) write.csv(df, file.path(here, name), row.names = FALSE)
versions <- data.frame(package = c("R", "psych", "lavaan"),
  version = c(R.version.string, as.character(packageVersion("psych")), as.character(packageVersion("lavaan"))))
out(versions, "versions.csv")

# ---- datasets -----------------------------------------------------------------------------
agree <- na.omit(psych::bfi[, paste0("A", 1:5)]); rownames(agree) <- NULL
neuro <- na.omit(psych::bfi[, paste0("N", 1:5)]); rownames(neuro) <- NULL
hs <- lavaan::HolzingerSwineford1939[, c("id", "school", paste0("x", 1:9))]
set.seed(20261121)
n <- 600
f <- rnorm(n)
wave <- rep(c("pre", "post"), each = n / 2)
f[wave == "post"] <- f[wave == "post"] + 0.3
lam <- c(0.8, 0.7, 0.75, 0.6, 0.65, 0.7)
sim <- sapply(seq_along(lam), function(j) {
  z <- lam[j] * f + sqrt(1 - lam[j]^2) * rnorm(n)
  as.integer(cut(z, breaks = c(-Inf, -1.2, -0.4, 0.3, 1.0, Inf)))
})
colnames(sim) <- paste0("q", 1:6)
sim[, "q6"] <- 6L - sim[, "q6"]          # q6 is worded negatively: reverse-key it
sim <- data.frame(respondent_id = seq_len(n), wave = wave, sim)
out(agree, "bfi_agreeableness.csv"); out(neuro, "bfi_neuroticism.csv")
out(hs, "holzinger_swineford.csv"); out(sim, "simulated_likert.csv")

# ---- alpha, item statistics ---------------------------------------------------------------
alpha_rows <- list(); item_rows <- list()
do_alpha <- function(name, x, keys) {
  a <- psych::alpha(x, keys = keys, warnings = FALSE)
  t <- a$total
  alpha_rows[[name]] <<- data.frame(dataset = name, raw_alpha = t$raw_alpha, std_alpha = t$std.alpha,
    g6 = t$`G6(smc)`, average_r = t$average_r, mean = t$mean, sd = t$sd, n = nrow(x))
  s <- a$item.stats; d <- a$alpha.drop
  item_rows[[name]] <<- data.frame(dataset = name, item = colnames(x), n = s$n, mean = s$mean, sd = s$sd,
    raw_r = s$raw.r, std_r = s$std.r, r_drop = s$r.drop, raw_alpha_drop = d$raw_alpha, std_alpha_drop = d$std.alpha)
}
do_alpha("bfi_agreeableness", agree, c("A1"))
do_alpha("bfi_neuroticism", neuro, NULL)
do_alpha("holzinger_visual", hs[, c("x1", "x2", "x3")], NULL)
do_alpha("simulated_likert", sim[, paste0("q", 1:6)], c("q6"))
# deliberval's own SYNTHETIC example data: example_climate_assembly.csv was written from
# deliberval.score(load_example("climate_assembly").responses, participant_standard).items
# (missing codes already NA, efficacy_int_complicated / efficacy_ext_no_say already reversed),
# pre and post waves, rows complete on the 11 items. It is an input here, not an output.
ca <- read.csv(file.path(here, "example_climate_assembly.csv"))
ca_trust <- c("trust_parliament", "trust_politicians", "trust_parties", "trust_national_government", "trust_local_government")
ca_int <- c("efficacy_int_understand", "efficacy_int_confidence", "efficacy_int_complicated")
ca_ext <- c("efficacy_ext_care", "efficacy_ext_contact", "efficacy_ext_no_say")
do_alpha("example_trust", ca[, ca_trust], NULL)
do_alpha("example_internal_efficacy", ca[, ca_int], NULL)
out(do.call(rbind, alpha_rows), "alpha.csv"); out(do.call(rbind, item_rows), "alpha_items.csv")

# ---- omega (psych::omega, fm = "minres", rotate = "oblimin") --------------------------------
rev_agree <- agree; rev_agree$A1 <- 7 - rev_agree$A1
rev_sim <- sim[, paste0("q", 1:6)]; rev_sim$q6 <- 6 - rev_sim$q6
om_rows <- list()
do_omega <- function(name, x, nf) {
  o <- suppressWarnings(psych::omega(x, nfactors = nf, fm = "minres", rotate = "oblimin", plot = FALSE))
  om_rows[[paste(name, nf)]] <<- data.frame(dataset = name, n_factors = nf, omega_total = o$omega.tot,
    omega_hierarchical = o$omega_h, alpha = o$alpha, n = nrow(x))
}
do_omega("bfi_agreeableness", rev_agree, 1)
do_omega("bfi_neuroticism", neuro, 1)
do_omega("simulated_likert", rev_sim, 1)
do_omega("holzinger_swineford", hs[, paste0("x", 1:9)], 3)
do_omega("example_trust", ca[, ca_trust], 1)
out(do.call(rbind, om_rows), "omega.csv")

# ---- polychoric (psych::polychoric defaults: global thresholds, correct = 0.5) -----------
poly_rows <- list()
do_poly <- function(name, x) {
  p <- psych::polychoric(x)
  r <- p$rho; idx <- which(upper.tri(r), arr.ind = TRUE)
  poly_rows[[name]] <<- data.frame(dataset = name, item_1 = colnames(r)[idx[, 1]], item_2 = colnames(r)[idx[, 2]],
    rho = r[idx], ordinal_alpha = psych::alpha(r, warnings = FALSE)$total$raw_alpha)
  th <- p$tau
  write.csv(data.frame(item = rownames(th), th), file.path(here, paste0("polychoric_tau_", name, ".csv")), row.names = FALSE)
}
do_poly("bfi_agreeableness", rev_agree)
do_poly("simulated_likert", rev_sim)
do_poly("example_efficacy", ca[, c(ca_int, ca_ext)])
out(do.call(rbind, poly_rows), "polychoric.csv")

# ---- CFA and invariance (lavaan defaults: ML, likelihood = "normal") ----------------------
fm <- c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "srmr")
fit_rows <- list(); load_rows <- list()
do_cfa <- function(name, model, data, group = NULL, equal = "", label = "single") {
  fit <- if (is.null(group)) cfa(model, data = data) else cfa(model, data = data, group = group, group.equal = equal)
  m <- fitMeasures(fit, fm)
  m <- as.list(unclass(m)); names(m) <- gsub(".", "_", names(m), fixed = TRUE)
  fit_rows[[paste(name, label)]] <<- data.frame(dataset = name, model = label, m, n = lavInspect(fit, "ntotal"))
  if (is.null(group)) {
    s <- standardizedSolution(fit); s <- s[s$op == "=~", ]
    load_rows[[name]] <<- data.frame(dataset = name, factor = s$lhs, item = s$rhs, std_loading = s$est.std)
  }
  invisible(fit)
}
hs_model <- "visual =~ x1 + x2 + x3\n textual =~ x4 + x5 + x6\n speed =~ x7 + x8 + x9"
invisible(do_cfa("holzinger_swineford", hs_model, hs))
sim_model <- "f =~ q1 + q2 + q3 + q4 + q5 + q6"
sim_rev <- sim; sim_rev$q6 <- 6 - sim_rev$q6
invisible(do_cfa("simulated_likert", sim_model, sim_rev))
agree_model <- "agree =~ A1 + A2 + A3 + A4 + A5"
invisible(do_cfa("bfi_agreeableness", agree_model, rev_agree))
invisible(do_cfa("holzinger_visual", "visual =~ x1 + x2 + x3", hs))  # just identified, df = 0
invisible(do_cfa("example_efficacy", "internal =~ efficacy_int_understand + efficacy_int_confidence + efficacy_int_complicated\n external =~ efficacy_ext_care + efficacy_ext_contact + efficacy_ext_no_say", ca))
lrt_rows <- list()
do_inv <- function(name, model, data, group) {
  f1 <- do_cfa(name, model, data, group, "", "configural")
  f2 <- do_cfa(name, model, data, group, "loadings", "metric")
  f3 <- do_cfa(name, model, data, group, c("loadings", "intercepts"), "scalar")
  l <- lavTestLRT(f1, f2, f3)
  lrt_rows[[name]] <<- data.frame(dataset = name, model = c("configural", "metric", "scalar"),
    chisq_diff = l$`Chisq diff`, df_diff = l$`Df diff`, diff_p_value = l$`Pr(>Chisq)`)
}
do_inv("holzinger_swineford", hs_model, hs, "school")
do_inv("simulated_likert", sim_model, sim_rev, "wave")
do_inv("example_trust", paste("trust =~", paste(ca_trust, collapse = " + ")), ca, "wave")
out(do.call(rbind, fit_rows), "cfa_fit.csv"); out(do.call(rbind, load_rows), "cfa_loadings.csv")
out(do.call(rbind, lrt_rows), "invariance_lrt.csv")
cat("done\n")
