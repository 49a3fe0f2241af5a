# Golden values for the CR2 (Bell-McCaffrey) cluster-robust variance with Satterthwaite df of a
# WEIGHTED linear model (survey, propensity or attrition weights; issue 19), used by
# deliberval.analysis._cr2.ols_cr2(weights=), did(weight=) and event_study(weight=).
# clubSandwich treats lm weights that are not declared inverse-variance weights with an identity
# working model (vcovCR.lm: inverse_var = FALSE when weights are present): W = diag(w / mean(w)),
# Theta = I, A_g = [(I - H)(I - H)']_gg^(-1/2) with H = X (X'WX)^-1 X'W.
# Data: simulated here (seed 19), not the package's examples, written to cr2_weighted_data.csv:
#   a: 6 participants vs 14 controls, one weight per respondent (0.4-2.5);
#   b: 12 vs 9, three participants and two controls lost at post, weights that differ between the
#      waves (attrition weights at post);
#   c: 10 vs 10 clustered in 6 sites, one weight per respondent.
# Models (as did()): pooled lm(y ~ treated * post, weights = w); within (respondent fixed effects):
# panel respondents, y, post and treated:post demeaned within respondent with the weights
# (weighted means; the WLS form of the within transformation), lm(yd ~ 0 + tpd + pod, weights = w).
# Event study (as event_study()): tests/reference/event_study/event_study_data.csv, rows with age,
# lm(y ~ treated * wave + age + gender, weights = w) with w = 0.5 + (respondent number mod 5) / 4.
# Each: vcovCR(type = "CR2") + coef_test(test = "Satterthwaite") + conf_int(test = "Satterthwaite");
# the did() models also with vcovCR(type = "CR1S") (the Stata factor) + test = "naive-t" (G - 1 df),
# column vcov of cr2_weighted_expected.csv.
# Run from anywhere:  Rscript tests/reference/meta/generate_cr2_weighted.R
suppressPackageStartupMessages(library(clubSandwich))
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
fmt <- function(x) { x[] <- lapply(x, function(v) if (is.numeric(v)) sprintf("%.17g", v) else v); x }
set.seed(19)
sim <- function(tag, n_t, n_c, drop_post = 0, sites = NULL, wave_weights = FALSE) {
  n <- n_t + n_c
  id <- sprintf("%s%03d", tag, seq_len(n)); grp <- rep(c("participant", "control"), c(n_t, n_c))
  a <- rnorm(n, 3, 0.8)
  pre <- a + rnorm(n, 0, 0.5); post <- a + 0.3 + 0.4 * (grp == "participant") + rnorm(n, 0, 0.5)
  w0 <- round(runif(n, 0.4, 2.5), 3)
  w <- if (wave_weights) c(w0, round(w0 * runif(n, 0.8, 1.6), 3)) else rep(w0, 2)
  d <- data.frame(dataset = tag, respondent_id = rep(id, 2), wave = rep(c("pre", "post"), each = n),
                  group = rep(grp, 2), y = round(c(pre, post), 4), w = w)
  d$site <- if (is.null(sites)) d$respondent_id else rep(sprintf("s%02d", sample(sites, n, replace = TRUE)), 2)
  if (drop_post > 0) d <- d[!(d$wave == "post" & d$respondent_id %in% id[c(1:3, n_t + 1:2)]), ]
  d
}
data <- rbind(sim("a", 6, 14), sim("b", 12, 9, drop_post = 5, wave_weights = TRUE),
              sim("c", 10, 10, sites = 1:6))
write.csv(fmt(data), file.path(here, "cr2_weighted_data.csv"), row.names = FALSE)
row <- function(ct, ci, rows, ...) {
  naive <- "df_t" %in% names(ct)
  data.frame(..., term = rows, estimate = ct[rows, "beta"], se = ct[rows, "SE"],
             df = ct[rows, if (naive) "df_t" else "df_Satt"], p_value = ct[rows, if (naive) "p_t" else "p_Satt"],
             ci_low = ci[rows, "CI_L"], ci_high = ci[rows, "CI_U"])
}
out <- list()
for (type in c("CR2", "CR1S")) for (ds in unique(data$dataset)) for (cl in c("respondent_id", "site")) {
  test <- if (type == "CR2") "Satterthwaite" else "naive-t"
  d <- data[data$dataset == ds, ]
  if (cl == "site" && ds != "c") next
  d$treated <- as.numeric(d$group == "participant"); d$post <- as.numeric(d$wave == "post")
  fit <- lm(y ~ treated * post, data = d, weights = w)
  V <- vcovCR(fit, cluster = d[[cl]], type = type)
  ct <- coef_test(fit, vcov = V, test = test)
  ci <- conf_int(fit, vcov = V, test = test, level = 0.95)
  out[[length(out) + 1]] <- row(ct, ci, c("treated:post", "treated"), dataset = ds, cluster = cl,
                                vcov = type, model = c("pooled_ols", "baseline_difference"))
  both <- names(which(table(d$respondent_id) == 2)); p <- d[d$respondent_id %in% both, ]
  p$tp <- p$treated * p$post
  dm <- function(v) v - ave(v * p$w, p$respondent_id, FUN = sum) / ave(p$w, p$respondent_id, FUN = sum)
  fe <- lm(yd ~ 0 + tpd + pod, weights = p$w,
           data = data.frame(yd = dm(p$y), tpd = dm(p$tp), pod = dm(p$post)))
  Vf <- vcovCR(fe, cluster = p[[cl]], type = type)
  cf <- coef_test(fe, vcov = Vf, test = test); cif <- conf_int(fe, vcov = Vf, test = test)
  r <- row(cf, cif, "tpd", dataset = ds, cluster = cl, vcov = type, model = "individual_fe")
  r$term <- "treated:post"
  out[[length(out) + 1]] <- r
}
res <- do.call(rbind, out)
write.csv(fmt(res), file.path(here, "cr2_weighted_expected.csv"), row.names = FALSE)

es <- read.csv(file.path(here, "..", "event_study", "event_study_data.csv"), stringsAsFactors = FALSE)
es$w <- 0.5 + (as.integer(sub("^r", "", es$respondent_id)) %% 5) / 4
waves <- c("pre", "post", "followup")
d <- es[!is.na(es$age), ]
d$wave <- factor(d$wave, levels = waves)
d$treated <- as.numeric(d$group == "participant")
fit <- lm(y ~ treated * wave + age + gender, data = d, weights = w)
V <- vcovCR(fit, cluster = d$respondent_id, type = "CR2")
ct <- coef_test(fit, vcov = V, test = "Satterthwaite")
ci <- conf_int(fit, vcov = V, test = "Satterthwaite", level = 0.95)
esr <- row(ct, ci, ct$Coef, n_rows = nrow(d), n_clusters = length(unique(d$respondent_id)))
write.csv(fmt(esr), file.path(here, "cr2_weighted_event_study.csv"), row.names = FALSE)
writeLines(sprintf("%s, clubSandwich %s: generate_cr2_weighted.R -> cr2_weighted_data.csv, cr2_weighted_expected.csv, cr2_weighted_event_study.csv",
                   R.version.string, packageVersion("clubSandwich")), file.path(here, "versions_cr2_weighted.txt"))
print(res); print(esr)
