# Golden values for deliberval.analysis.change, .did, .attrition and .comparison (issue 5).
# Run from the repository root: Rscript tests/reference/change/generate_change.R
# Writes the simulated datasets (CSV) and R's results (CSV) next to this script.
suppressPackageStartupMessages({
  library(sandwich); library(lmtest); library(lme4); library(survey)
})
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("--file=", "", args[grep("--file=", args)])))
out <- function(x, name) write.csv(x, file.path(here, name), row.names = FALSE, na = "")
options(digits = 15)
set.seed(20261121)

## ---------------------------------------------------------------- pre/post data
n <- 60
ids <- sprintf("r%03d", 1:n)
grp <- rep(c("participant", "control"), each = n / 2)
edu <- sample(c("isced_0_2", "isced_3_4", "isced_5_8"), n, replace = TRUE)
y1_pre <- round(rnorm(n, 5, 1.5), 6)
y1_post <- round(y1_pre + rnorm(n, ifelse(grp == "participant", 0.6, 0.1), 1), 6)
y2_pre <- sample(1:5, n, replace = TRUE, prob = c(.1, .2, .3, .25, .15))
y2_post <- pmin(5, pmax(1, y2_pre + sample(-1:2, n, replace = TRUE, prob = c(.2, .4, .3, .1))))
y3_pre <- sample(0:10, n, replace = TRUE)
y3_post <- pmin(10, pmax(0, y3_pre + sample(-2:2, n, replace = TRUE)))
y3_pre[c(3, 17, 40)] <- NA
y3_post[c(5, 41)] <- NA
y4_pre <- round(rnorm(n, 3, 0.8), 6)
y4_post <- round(y4_pre + rnorm(n, 0.05, 0.7), 6)
w <- round(runif(n, 0.5, 2), 4)
pre <- data.frame(respondent_id = ids, wave = "pre", group = grp, education = edu,
                  y1 = y1_pre, y2 = y2_pre, y3 = y3_pre, y4 = y4_pre, weight = NA)
post <- data.frame(respondent_id = ids, wave = "post", group = grp, education = NA,
                   y1 = y1_post, y2 = y2_post, y3 = y3_post, y4 = y4_post, weight = w)
# 8 drop-outs: no post row (more among low-y1 respondents)
drop <- order(y1_pre)[c(1, 2, 4, 7, 9, 12, 33, 50)]
post <- post[-drop, ]
# 2 baseline-only-missing respondents: no pre row but a post row (cannot be paired)
long <- rbind(pre[-c(25, 55), ], post)
out(long, "prepost_data.csv")

paired <- merge(pre[-c(25, 55), ], post, by = "respondent_id", suffixes = c("_pre", "_post"))
dz_ci <- function(t, df, n, level = 0.95) {
  a <- 1 - level
  f <- function(ncp, target) pt(t, df, ncp) - target
  lo <- uniroot(f, c(t - 8, t + 8), target = 1 - a / 2, tol = 1e-13)$root
  hi <- uniroot(f, c(t - 8, t + 8), target = a / 2, tol = 1e-13)$root
  c(lo, hi)
}
rows <- list()
for (lev in c("control", "participant", "all")) {
  d0 <- if (lev == "all") paired else paired[paired$group_pre == lev, ]
  block <- list()
  for (v in c("y1", "y2", "y3", "y4")) {
    a <- d0[[paste0(v, "_pre")]]; b <- d0[[paste0(v, "_post")]]
    ok <- !is.na(a) & !is.na(b); a <- a[ok]; b <- b[ok]; nn <- length(a)
    tt <- t.test(b, a, paired = TRUE)
    ww <- suppressWarnings(wilcox.test(b, a, paired = TRUE))
    d <- b - a
    lim <- dz_ci(unname(tt$statistic), nn - 1, nn)
    J <- 1 - 3 / (4 * (nn - 1) - 1)
    sav <- (sd(a) + sd(b)) / 2
    top <- if (v == "y2") {
      e <- (b %in% 4:5) - (a %in% 4:5)
      se2 <- sqrt((mean(e^2) - mean(e)^2) / nn)
      c(mean(a %in% 4:5), mean(b %in% 4:5), mean(e), mean(e) - qnorm(.975) * se2, mean(e) + qnorm(.975) * se2)
    } else rep(NA, 5)
    block[[v]] <- data.frame(
      group = lev, outcome = v, n = nn, mean_pre = mean(a), mean_post = mean(b),
      estimate = unname(tt$estimate), ci_low = tt$conf.int[1], ci_high = tt$conf.int[2],
      statistic = unname(tt$statistic), df = unname(tt$parameter), p_value = tt$p.value,
      wilcoxon_statistic = unname(ww$statistic), wilcoxon_p_value = ww$p.value,
      wilcoxon_exact = grepl("exact", ww$method) & !grepl("continuity", ww$method),
      d_z = mean(d) / sd(d), d_z_ci_low = lim[1] / sqrt(nn), d_z_ci_high = lim[2] / sqrt(nn),
      g_av = J * mean(d) / sav,
      g_av_ci_low = lim[1] * J * sd(d) / (sqrt(nn) * sav),
      g_av_ci_high = lim[2] * J * sd(d) / (sqrt(nn) * sav),
      top2_pre = top[1], top2_post = top[2], top2_diff = top[3], top2_diff_ci_low = top[4],
      top2_diff_ci_high = top[5])
  }
  block <- do.call(rbind, block)
  block$holm_p_value <- p.adjust(block$p_value, "holm")
  block$bh_p_value <- p.adjust(block$p_value, "BH")
  rows[[lev]] <- block
}
out(do.call(rbind, rows), "prepost_expected.csv")

# weighted paired mean difference (weight from the post row), survey::svymean
wrows <- list()
for (v in c("y1", "y4")) {
  d <- data.frame(d = paired[[paste0(v, "_post")]] - paired[[paste0(v, "_pre")]], w = paired$weight_post)
  des <- svydesign(ids = ~1, weights = ~w, data = d)
  m <- svymean(~d, des)
  est <- unname(coef(m)); se <- unname(SE(m)); df <- nrow(d) - 1
  wrows[[v]] <- data.frame(outcome = v, n = nrow(d), estimate = est, se = se,
                           ci_low = est - qt(.975, df) * se, ci_high = est + qt(.975, df) * se,
                           p_value = 2 * pt(-abs(est / se), df))
}
out(do.call(rbind, wrows), "prepost_weighted_expected.csv")

# small exact case with n < 50, no ties, no zeros; and a case with a zero (approximation)
ex <- data.frame(pre = c(1.1, 2.3, 3.2, 4.8, 5.0, 6.7, 7.1, 8.4),
                 post = c(1.9, 2.1, 4.4, 5.45, 6.6, 6.2, 9.9, 8.0))
wx1 <- wilcox.test(ex$post, ex$pre, paired = TRUE)
ex2 <- ex; ex2$post[3] <- ex2$pre[3]
wx2 <- suppressWarnings(wilcox.test(ex2$post, ex2$pre, paired = TRUE))
out(ex, "wilcoxon_small.csv")
out(data.frame(case = c("exact", "zero"), v = c(wx1$statistic, wx2$statistic),
               p = c(wx1$p.value, wx2$p.value), method = c(wx1$method, wx2$method)),
    "wilcoxon_small_expected.csv")

## ---------------------------------------------------------------- attrition
base <- pre[-c(25, 55), ]
comp <- base$respondent_id %in% post$respondent_id
tt <- t.test(base$y1[comp], base$y1[!comp])
ch <- chisq.test(table(comp, base$education), correct = FALSE)
out(data.frame(variable = c("y1", "education"), statistic = c(unname(tt$statistic), unname(ch$statistic)),
               df = c(unname(tt$parameter), unname(ch$parameter)), p_value = c(tt$p.value, ch$p.value)),
    "attrition_expected.csv")
fit <- glm(comp ~ y1 + education, family = binomial, data = cbind(base, comp = comp))
out(data.frame(respondent_id = base$respondent_id, response_propensity = unname(fitted(fit))),
    "response_weights_expected.csv")

## ---------------------------------------------------------------- selection check
s1 <- t.test(base$y1[base$group == "participant"], mu = 4.6)
s2 <- t.test(base$y1[base$group == "participant"], base$y1[base$group == "control"])
out(data.frame(case = c("value", "sample"), estimate = c(unname(s1$estimate) - 4.6, unname(s2$estimate[1] - s2$estimate[2])),
               ci_low = c(s1$conf.int[1] - 4.6, s2$conf.int[1]), ci_high = c(s1$conf.int[2] - 4.6, s2$conf.int[2]),
               df = c(unname(s1$parameter), unname(s2$parameter)), p_value = c(s1$p.value, s2$p.value)),
    "selection_expected.csv")

## ---------------------------------------------------------------- difference-in-differences
m <- 90
did_ids <- sprintf("d%03d", 1:m)
tr <- rep(c(1, 0), c(40, 50))
site <- sprintf("s%02d", rep(1:15, each = 6))
a_i <- rnorm(m, 0, 0.8)
y_pre <- 3 + 0.3 * tr + a_i + rnorm(m, 0, 0.6)
y_post <- 3 + 0.3 * tr + 0.1 + 0.45 * tr + a_i + rnorm(m, 0, 0.6)
dd <- rbind(
  data.frame(respondent_id = did_ids, wave = "pre", group = ifelse(tr == 1, "participant", "control"),
             site = site, y = round(y_pre, 6)),
  data.frame(respondent_id = did_ids, wave = "post", group = ifelse(tr == 1, "participant", "control"),
             site = site, y = round(y_post, 6)))
dd <- dd[!(dd$wave == "post" & dd$respondent_id %in% did_ids[c(2, 5, 44, 60, 71)]), ]
dd <- dd[!(dd$wave == "pre" & dd$respondent_id %in% did_ids[c(8, 80)]), ]
out(dd, "did_data.csv")
dd$treated <- as.numeric(dd$group == "participant"); dd$post <- as.numeric(dd$wave == "post")
did_rows <- list()
for (cl in c("respondent_id", "site")) {
  fit <- lm(y ~ treated * post, data = dd)
  V <- vcovCL(fit, cluster = dd[[cl]], type = "HC1")
  G <- length(unique(dd[[cl]]))
  ct <- coeftest(fit, vcov. = V, df = G - 1)
  ci <- coefci(fit, vcov. = V, df = G - 1)
  for (term in c("treated:post", "treated")) {
    did_rows[[length(did_rows) + 1]] <- data.frame(
      cluster = cl, model = ifelse(term == "treated", "baseline_difference", "pooled_ols"), term = term,
      estimate = ct[term, 1], se = ct[term, 2], p_value = ct[term, 4], ci_low = ci[term, 1], ci_high = ci[term, 2],
      n_rows = nrow(dd), n_clusters = G)
  }
  # individual fixed effects: balanced panel, within transformation
  bal <- dd[dd$respondent_id %in% names(which(table(dd$respondent_id) == 2)), ]
  bal$tp <- bal$treated * bal$post
  lsdv <- lm(y ~ post + tp + factor(respondent_id), data = bal)
  dm <- function(v) v - ave(v, bal$respondent_id)
  wd <- data.frame(y = dm(bal$y), tp = dm(bal$tp), post = dm(bal$post))
  wfit <- lm(y ~ 0 + tp + post, data = wd)
  Gb <- length(unique(bal[[cl]]))
  Vw <- vcovCL(wfit, cluster = bal[[cl]], type = "HC1")
  ctw <- coeftest(wfit, vcov. = Vw, df = Gb - 1)
  ciw <- coefci(wfit, vcov. = Vw, df = Gb - 1)
  did_rows[[length(did_rows) + 1]] <- data.frame(
    cluster = cl, model = "individual_fe", term = "treated:post", estimate = unname(coef(lsdv)["tp"]),
    se = ctw["tp", 2], p_value = ctw["tp", 4], ci_low = ciw["tp", 1], ci_high = ciw["tp", 2],
    n_rows = nrow(bal), n_clusters = Gb)
}
out(do.call(rbind, did_rows), "did_expected.csv")

## ---------------------------------------------------------------- mixed model across processes
P <- 12
sizes <- sample(15:30, P, replace = TRUE)
proc <- data.frame(process_id = sprintf("p%02d", 1:P), sessions = sample(3:10, P, replace = TRUE),
                   politician_share = round(runif(P, 0, 0.4), 3),
                   remuneration = rep(c("paid", "unpaid"), length.out = P))
u <- rnorm(P, 0, 0.35)
mm <- proc[rep(1:P, sizes), ]
mm$y <- round(2.5 + 0.08 * mm$sessions + 0.6 * mm$politician_share + 0.2 * (mm$remuneration == "unpaid") +
              u[rep(1:P, sizes)] + rnorm(nrow(mm), 0, 0.9), 6)
out(mm, "mixed_data.csv")
full <- lmer(y ~ sessions + politician_share + remuneration + (1 | process_id), data = mm, REML = TRUE)
null <- lmer(y ~ 1 + (1 | process_id), data = mm, REML = TRUE)
cf <- summary(full)$coefficients
out(data.frame(term = c("(Intercept)", "sessions", "politician_share", "remunerationunpaid"),
               estimate = cf[, 1], se = cf[, 2]), "mixed_fixed_expected.csv")
vc <- function(f, name) {
  v <- as.data.frame(VarCorr(f))
  data.frame(model = name, component = c("process", "residual"), variance = v$vcov)
}
out(rbind(vc(null, "null"), vc(full, "full")), "mixed_variance_expected.csv")
writeLines(c(R.version.string,
             paste("sandwich", packageVersion("sandwich")), paste("lmtest", packageVersion("lmtest")),
             paste("lme4", packageVersion("lme4")), paste("survey", packageVersion("survey"))),
           file.path(here, "versions.txt"))
