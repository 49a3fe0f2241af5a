# Golden values for deliberval.analysis.propensity.propensity_weights (issue 19), base R only.
# Data simulated here (seed below) and committed as propensity_data.csv: 300 people, a
# self-selected group (1 = participant, 0 = invited but not selected) depending on age,
# gender and education; a missing age in two rows (excluded by the analysis, counted).
#  * scores: glm(treated ~ age + gender + edu, family = binomial) (treatment contrasts,
#    reference = first level alphabetically, as deliberval's dummy coding);
#  * trimming: scores clipped to [trim, 1 - trim] before the weights are formed;
#  * weights: target "treated" (ATT) 1 for participants, e/(1-e) for controls;
#             target "all" (ATE) 1/e for participants, 1/(1-e) for controls;
#  * ASMD (cobalt-style, by hand): |weighted mean_1 - weighted mean_0| / s, with s from the
#    UNWEIGHTED sample: target "treated" -> sd of the treated group, target "all" ->
#    sqrt((s1^2 + s0^2) / 2); sd by sd() (n - 1) for numeric covariates and sqrt(p (1 - p)) for
#    binary indicators (every level of a factor is one indicator);
#  * effective n (Kish): (sum w)^2 / sum w^2 per group.
# Run from anywhere:  Rscript tests/reference/propensity/generate_propensity.R
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
fmt <- function(x) { x[] <- lapply(x, function(v) if (is.numeric(v)) sprintf("%.17g", v) else v); x }
set.seed(20261202)
n <- 300
age <- round(rnorm(n, 50, 15))
gender <- sample(c("female", "male"), n, replace = TRUE)
edu <- sample(c("high", "low", "mid"), n, replace = TRUE, prob = c(0.3, 0.3, 0.4))
lp <- -1.5 + 0.03 * (age - 50) + 0.5 * (gender == "male") + 0.8 * (edu == "high") - 0.4 * (edu == "low")
treated <- rbinom(n, 1, plogis(lp))
age[c(7, 150)] <- NA
dat <- data.frame(id = seq_len(n), treated = treated, age = age, gender = gender, edu = edu)
write.csv(dat, file.path(here, "propensity_data.csv"), row.names = FALSE)

cc <- dat[complete.cases(dat), ]
fit <- glm(treated ~ age + gender + edu, family = binomial, data = cc,
           control = glm.control(epsilon = 1e-14, maxit = 100))
e0 <- fitted(fit)
X <- data.frame(age = cc$age,
                "gender=female" = as.numeric(cc$gender == "female"), "gender=male" = as.numeric(cc$gender == "male"),
                "edu=high" = as.numeric(cc$edu == "high"), "edu=low" = as.numeric(cc$edu == "low"),
                "edu=mid" = as.numeric(cc$edu == "mid"), check.names = FALSE)
binary <- c(FALSE, TRUE, TRUE, TRUE, TRUE, TRUE)
t1 <- cc$treated == 1
sdv <- function(x, b) if (b) { p <- mean(x); sqrt(p * (1 - p)) } else sd(x)
wmean <- function(x, w) sum(w * x) / sum(w)
ess <- function(w) sum(w)^2 / sum(w^2)

wts <- list(); bal <- list(); ssum <- list()
for (target in c("treated", "all")) for (trim in c(0, 0.1)) {
  e <- pmin(pmax(e0, trim), 1 - trim)
  w <- if (target == "treated") ifelse(t1, 1, e / (1 - e)) else ifelse(t1, 1 / e, 1 / (1 - e))
  key <- sprintf("%s_%s", target, trim)
  wts[[key]] <- data.frame(target = target, trim = trim, id = cc$id, propensity = e, weight = w)
  for (j in seq_along(X)) {
    x <- X[[j]]
    s1 <- sdv(x[t1], binary[j]); s0 <- sdv(x[!t1], binary[j])
    s <- if (target == "treated") s1 else sqrt((s1^2 + s0^2) / 2)
    bal[[paste(key, j)]] <- data.frame(
      target = target, trim = trim, covariate = names(X)[j],
      treated_mean_before = mean(x[t1]), control_mean_before = mean(x[!t1]),
      treated_mean_after = wmean(x[t1], w[t1]), control_mean_after = wmean(x[!t1], w[!t1]),
      sd_denominator = s,
      asmd_before = abs(mean(x[t1]) - mean(x[!t1])) / s,
      asmd_after = abs(wmean(x[t1], w[t1]) - wmean(x[!t1], w[!t1])) / s)
  }
  ssum[[key]] <- data.frame(target = target, trim = trim, treated = c(1, 0),
                            n = c(sum(t1), sum(!t1)),
                            effective_n = c(ess(w[t1]), ess(w[!t1])),
                            sum_weights = c(sum(w[t1]), sum(w[!t1])))
}
write.csv(fmt(do.call(rbind, wts)), file.path(here, "propensity_weights.csv"), row.names = FALSE)
write.csv(fmt(do.call(rbind, bal)), file.path(here, "propensity_balance.csv"), row.names = FALSE)
write.csv(fmt(do.call(rbind, ssum)), file.path(here, "propensity_ess.csv"), row.names = FALSE)
writeLines(sprintf("%s, base R only (stats::glm): generate_propensity.R -> propensity_data.csv, propensity_weights.csv, propensity_balance.csv, propensity_ess.csv",
                   R.version.string), file.path(here, "versions.txt"))
