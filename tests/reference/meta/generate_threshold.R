# Golden values for deliberval.analysis.meta.threshold_probability (issue 20): the posterior
# probability that one body's true value meets a threshold under a reference prior.
# Run from this folder:  Rscript generate_threshold.R
# Independent of the Python code: pbeta, pt and integrate() over the chi-square density (the
# standardised change) -- and a Monte Carlo draw from the joint posterior as a sanity check.
cases <- read.csv(text = "
case,model,threshold,higher,estimate,sd,se,df,count,n
s1,share,0.8,TRUE,,,,,18,20
s2,share,0.7,TRUE,,,,,11,19
s3,share,0.1,FALSE,,,,,2,24
s4,share,0.5,TRUE,,,,,0,7
m1,mean,3.5,TRUE,3.9,0.8,,,,12
m2,mean,3.5,TRUE,3.41,1.12,,,,9
m3,mean,2.0,FALSE,2.3,0.6,,,,5
d1,standardised_change,0.2,TRUE,0.5,,,,,15
d2,standardised_change,0,TRUE,0.31,,,,,8
d3,standardised_change,0.3,FALSE,0.12,,,,,25
d4,standardised_change,-0.1,TRUE,-0.4,,,,,4
n1,normal,0,TRUE,0.3,,0.2,6.3,,
n2,normal,0.25,FALSE,0.41,,0.11,3.7,,
n3,normal,0.1,TRUE,0.05,,0.3,Inf,,
")
prob <- function(r) {
  c0 <- r$threshold
  up <- switch(r$model,
    share = pbeta(c0, 1 + r$count, 1 + r$n - r$count, lower.tail = FALSE),
    mean = pt((r$estimate - c0) * sqrt(r$n) / r$sd, r$n - 1),
    standardised_change = {
      k <- r$n - 1
      f <- function(x) pnorm(sqrt(r$n) * (r$estimate * sqrt(x / k) - c0)) * dchisq(x, k)
      integrate(f, 0, Inf, rel.tol = 1e-12, abs.tol = 1e-14, subdivisions = 1000)$value
    },
    normal = if (is.infinite(r$df)) pnorm((r$estimate - c0) / r$se) else pt((r$estimate - c0) / r$se, r$df))
  if (r$higher) up else 1 - up
}
cases$prob_meets_threshold <- sapply(seq_len(nrow(cases)), function(i) prob(cases[i, ]))
# sanity check of the standardised change by simulation from the joint posterior (not written)
set.seed(1)
for (i in which(cases$model == "standardised_change")) {
  r <- cases[i, ]; k <- r$n - 1
  sigma <- sqrt(k / rchisq(2e6, k))            # in units of s (s = 1)
  mu <- rnorm(2e6, r$estimate, sigma / sqrt(r$n))
  mc <- mean(if (r$higher) mu / sigma >= r$threshold else mu / sigma <= r$threshold)
  stopifnot(abs(mc - cases$prob_meets_threshold[i]) < 3e-3)
}
cases$prob_meets_threshold <- signif(cases$prob_meets_threshold, 15)
write.csv(cases, "threshold_expected.csv", row.names = FALSE, na = "")
