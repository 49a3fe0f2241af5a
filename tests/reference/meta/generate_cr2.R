# Golden values for the CR2 (Bell-McCaffrey) cluster-robust variance with Satterthwaite df used by
# deliberval.analysis.did (issue 20). Run from this folder: Rscript generate_cr2.R
# Data: simulated small difference-in-differences frames written by this script (seed 20), not the
# package's examples: 5 participants vs 20 controls, 13 vs 8 (with attrition), and 10 vs 10
# clustered in 6 sites.
suppressPackageStartupMessages(library(clubSandwich))
set.seed(20)
sim <- function(tag, n_t, n_c, drop_post = 0, sites = NULL) {
  n <- n_t + n_c
  id <- sprintf("%s%03d", tag, seq_len(n)); grp <- rep(c("participant", "control"), c(n_t, n_c))
  a <- rnorm(n, 3, 0.8)
  pre <- a + rnorm(n, 0, 0.5); post <- a + 0.3 + 0.4 * (grp == "participant") + rnorm(n, 0, 0.5)
  d <- data.frame(dataset = tag, respondent_id = rep(id, 2), wave = rep(c("pre", "post"), each = n),
                  group = rep(grp, 2), y = round(c(pre, post), 4))
  d$site <- if (is.null(sites)) d$respondent_id else rep(sprintf("s%02d", sample(sites, n, replace = TRUE)), 2)
  if (drop_post > 0) d <- d[!(d$wave == "post" & d$respondent_id %in% id[c(1, n_t + 1:(drop_post - 1))]), ]
  d
}
data <- rbind(sim("a", 5, 20), sim("b", 13, 8, drop_post = 3), sim("c", 10, 10, sites = 1:6))
write.csv(data, "cr2_did_data.csv", row.names = FALSE)
out <- list()
for (ds in unique(data$dataset)) for (cl in c("respondent_id", "site")) {
  d <- data[data$dataset == ds, ]
  if (cl == "site" && ds != "c") next
  d$treated <- as.numeric(d$group == "participant"); d$post <- as.numeric(d$wave == "post")
  fit <- lm(y ~ treated * post, data = d)
  V <- vcovCR(fit, cluster = d[[cl]], type = "CR2")
  ct <- coef_test(fit, vcov = V, test = "Satterthwaite")
  ci <- conf_int(fit, vcov = V, test = "Satterthwaite", level = 0.95)
  rows <- c("treated:post", "treated")
  out[[length(out) + 1]] <- data.frame(dataset = ds, cluster = cl,
    model = c("pooled_ols", "baseline_difference"), term = rows, estimate = ct[rows, "beta"],
    se = ct[rows, "SE"], df = ct[rows, "df_Satt"], p_value = ct[rows, "p_Satt"],
    ci_low = ci[rows, "CI_L"], ci_high = ci[rows, "CI_U"])
  # within (respondent fixed effects): panel respondents, variables demeaned within respondent,
  # the absorbed-effects form of Pustejovsky & Tipton (2018), clubSandwich on the demeaned lm
  both <- names(which(table(d$respondent_id) == 2)); p <- d[d$respondent_id %in% both, ]
  p$tp <- p$treated * p$post
  dm <- function(v) v - ave(v, p$respondent_id)
  fe <- lm(yd ~ 0 + tpd + pod, data = data.frame(yd = dm(p$y), tpd = dm(p$tp), pod = dm(p$post)))
  Vf <- vcovCR(fe, cluster = p[[cl]], type = "CR2")
  cf <- coef_test(fe, vcov = Vf, test = "Satterthwaite"); cif <- conf_int(fe, vcov = Vf, test = "Satterthwaite")
  out[[length(out) + 1]] <- data.frame(dataset = ds, cluster = cl, model = "individual_fe",
    term = "treated:post", estimate = cf["tpd", "beta"], se = cf["tpd", "SE"], df = cf["tpd", "df_Satt"],
    p_value = cf["tpd", "p_Satt"], ci_low = cif["tpd", "CI_L"], ci_high = cif["tpd", "CI_U"])
}
res <- do.call(rbind, out)
res[] <- lapply(res, function(v) if (is.numeric(v)) signif(v, 15) else v)
write.csv(res, "cr2_did_expected.csv", row.names = FALSE)
print(res)
