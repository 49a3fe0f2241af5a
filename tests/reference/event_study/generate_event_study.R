# Golden values for deliberval.analysis.event_study.event_study (issue 19): covariate-adjusted
# difference-in-differences and the event-study form across pre / post / follow-up waves.
# Data simulated here (seed below), committed as event_study_data.csv: 30 participants and 45
# controls, waves pre / post / followup, ~10 % of post and follow-up rows lost to attrition,
# covariates age (numeric) and gender (text), a participant effect of 0.5 at post fading to 0.3.
# Model: lm(y ~ treated * wave + age + gender) with wave a factor whose reference is "pre"
# (treatment contrasts; gender's reference its first level alphabetically); the rows with a
# missing age (2) are left out. Cluster-robust SEs by respondent with clubSandwich:
#   CR2  vcovCR(type = "CR2") + coef_test(test = "Satterthwaite") + conf_int(test = "Satterthwaite")
#   CR1S vcovCR(type = "CR1S") (the Stata factor G/(G-1) (N-1)/(N-K)) + coef_test(test = "naive-t")
#        (t on G - 1 df) + conf_int(test = "naive-t").
# Cases: three waves (event study) and two waves (pre, post: adjusted DiD), each CR2 and CR1S;
# three waves weighted, CR1S (waves = "weighted" in the output).
# Run from anywhere:  Rscript tests/reference/event_study/generate_event_study.R
suppressPackageStartupMessages(library(clubSandwich))
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
fmt <- function(x) { x[] <- lapply(x, function(v) if (is.numeric(v)) sprintf("%.17g", v) else v); x }
set.seed(20261203)
n1 <- 30; n0 <- 45; n <- n1 + n0
people <- data.frame(respondent_id = sprintf("r%03d", seq_len(n)),
                     group = rep(c("participant", "control"), c(n1, n0)),
                     age = round(rnorm(n, 48, 14)),
                     gender = sample(c("man", "woman", "other"), n, replace = TRUE, prob = c(.47, .47, .06)),
                     u = rnorm(n, 0, 0.6))
people$age[c(5, 50)] <- NA
waves <- c("pre", "post", "followup")
dat <- merge(people, data.frame(wave = waves), by = NULL)
eff <- c(pre = 0, post = 0.5, followup = 0.3)
dat$y <- 3 + 0.2 * (dat$group == "participant") + 0.15 * (dat$wave != "pre") +
  ifelse(dat$group == "participant", eff[dat$wave], 0) + 0.01 * (dat$age - 48) +
  0.2 * (dat$gender == "woman") + dat$u + rnorm(nrow(dat), 0, 0.5)
drop <- dat$wave != "pre" & runif(nrow(dat)) < 0.1
dat <- dat[!drop, c("respondent_id", "group", "wave", "age", "gender", "y")]
dat <- dat[order(dat$respondent_id, match(dat$wave, waves)), ]
write.csv(fmt(dat), file.path(here, "event_study_data.csv"), row.names = FALSE)

out <- list()
for (ws in list(waves, c("pre", "post"))) {
  d <- dat[dat$wave %in% ws & !is.na(dat$age), ]
  d$wave <- factor(d$wave, levels = ws)
  d$treated <- as.numeric(d$group == "participant")
  fit <- lm(y ~ treated * wave + age + gender, data = d)
  for (type in c("CR2", "CR1S")) {
    test <- if (type == "CR2") "Satterthwaite" else "naive-t"
    V <- vcovCR(fit, cluster = d$respondent_id, type = type)
    ct <- coef_test(fit, vcov = V, test = test)
    ci <- conf_int(fit, vcov = V, test = test, level = 0.95)
    out[[paste(length(ws), type)]] <- data.frame(
      waves = paste(ws, collapse = "|"), vcov = type, term = ct$Coef,
      estimate = ct$beta, se = ct$SE, df = if (type == "CR2") ct$df_Satt else ct$df_t,
      p_value = if (type == "CR2") ct$p_Satt else ct$p_t,
      ci_low = ci$CI_L, ci_high = ci$CI_U, n_rows = nrow(d), n_clusters = length(unique(d$respondent_id)))
  }
}
# weighted (e.g. propensity weights): w = 0.5 + (respondent number mod 5) / 4, lm(weights = w);
# CR1S only: with lm weights clubSandwich's CR2 uses an identity working model (inverse_var = FALSE),
# which deliberval does not implement
dat$w <- 0.5 + (as.integer(sub("^r", "", dat$respondent_id)) %% 5) / 4
for (ws in list(waves)) {
  d <- dat[dat$wave %in% ws & !is.na(dat$age), ]
  d$wave <- factor(d$wave, levels = ws)
  d$treated <- as.numeric(d$group == "participant")
  fit <- lm(y ~ treated * wave + age + gender, data = d, weights = w)
  for (type in "CR1S") {  # deliberval offers CR1 only with weights
    test <- if (type == "CR2") "Satterthwaite" else "naive-t"
    V <- vcovCR(fit, cluster = d$respondent_id, type = type)
    ct <- coef_test(fit, vcov = V, test = test)
    ci <- conf_int(fit, vcov = V, test = test, level = 0.95)
    out[[paste("weighted", type)]] <- data.frame(
      waves = "weighted", vcov = type, term = ct$Coef,
      estimate = ct$beta, se = ct$SE, df = if (type == "CR2") ct$df_Satt else ct$df_t,
      p_value = if (type == "CR2") ct$p_Satt else ct$p_t,
      ci_low = ci$CI_L, ci_high = ci$CI_U, n_rows = nrow(d), n_clusters = length(unique(d$respondent_id)))
  }
}
res <- do.call(rbind, out)
write.csv(fmt(res), file.path(here, "event_study_coefs.csv"), row.names = FALSE)
writeLines(sprintf("%s, clubSandwich %s: generate_event_study.R -> event_study_data.csv, event_study_coefs.csv",
                   R.version.string, packageVersion("clubSandwich")), file.path(here, "versions.txt"))
