# Reference values for notebooks/06_case_study_nhs.ipynb, notebooks/07_civil_service_people_survey.ipynb
# and tests/test_case_study.py, computed independently of empathystats in R.
#
# Run from the repository root:
#   Rscript tests/results/nhs_R.R > tests/results/nhs_R.txt
# (R 4.2.2, metafor 3.x, sandwich, lmtest; see the header of nhs_R.txt for versions.)
#
# Rules implemented here from their definitions (not from the Python code):
#   Cleaning: read data/external/nhs_engagement_shmi/data.NHS.2012_2019.csv ("NA" = missing);
#     drop trust-years without an engagement score, then those without SHMI; check that
#     trust x year is unique.
#   Quartiles: within each survey year, trusts are ranked on engagement (ascending); ties in
#     engagement are broken by trust code (alphabetical), so every trust gets a distinct rank
#     1..n; with k = floor(n / 4), the bottom quartile is ranks 1..k and the top quartile ranks
#     n-k+1..n, so the two compared groups have equal size (the n - 2k middle trusts are neither).
#     Percent difference for a lower-is-better outcome = (bottom - top) / bottom * 100 ("% lower").
#   Correlation: Pearson r between engagement and SHMI within each year.
#   Meta-analysis (years as studies): Fisher z = atanh(r), v = 1/(n - 3); DerSimonian-Laird and
#     REML random effects (metafor::rma); Hunter-Schmidt bare-bones: rbar = sum(n r)/sum(n),
#     var_obs = sum(n (r - rbar)^2)/sum(n), var_e = (1 - rbar^2)^2/(nbar - 1), nbar = mean(n).
#   Regression with year effects: SHMI ~ z + factor(year), z = engagement standardised over the
#     pooled clean sample (per 1 SD); SEs classical and cluster-robust by trust (CR1, Stata-type).
#   Lagged design: pairs of the same trust in consecutive years (t, t+1), both clean.
#     forward:  SHMI[t+1] ~ z_eng[t] + SHMI[t]  (+ factor(year of t) in the year-effects variant)
#     reverse:  eng[t+1]  ~ z_shmi[t] + eng[t]  (idem)
#     z standardised over the rows of the lagged sample (per 1 SD of the predictor at t).
#   Cross-lagged (Harter et al. 2010 design): all four variables (eng, SHMI at t and t+1) standardised
#     over the paired sample; y1 ~ y0 + e0 and e1 ~ e0 + y0, without and with factor(year of t).

suppressPackageStartupMessages({
  library(metafor)
  library(sandwich)
  library(lmtest)
})
options(digits = 15, width = 200)
cat("R:", R.version.string, " metafor:", as.character(packageVersion("metafor")),
    " sandwich:", as.character(packageVersion("sandwich")), "\n\n")

f <- "data/external/nhs_engagement_shmi/data.NHS.2012_2019.csv"
raw <- read.csv(f, na.strings = "NA", stringsAsFactors = FALSE)
cat("== cleaning\n")
cat("rows read:", nrow(raw), " trusts:", length(unique(raw$Code)), "\n")
s1 <- raw[!is.na(raw$Engagement.Index), ]
cat("removed, no engagement score:", nrow(raw) - nrow(s1), "\n")
s2 <- s1[!is.na(s1$SHMI.Index), ]
cat("removed, no SHMI:", nrow(s1) - nrow(s2), "\n")
cat("duplicated trust x year:", sum(duplicated(s2[, c("Code", "Year.Index")])), "\n")
d <- data.frame(trust = s2$Code, year = s2$Year.Index, eng = s2$Engagement.Index,
                shmi = s2$SHMI.Index, responses = s2$Responses, stringsAsFactors = FALSE)
cat("clean trust-years:", nrow(d), " trusts:", length(unique(d$trust)),
    " min responses:", min(d$responses), "\n\n")

cat("== engagement by year\n")
years <- sort(unique(d$year))
eng_by_year <- do.call(rbind, lapply(years, function(y) {
  e <- d$eng[d$year == y]
  data.frame(year = y, n = length(e), mean = mean(e), sd = sd(e), median = median(e),
             min = min(e), max = max(e), distinct = length(unique(e)))
}))
print(eng_by_year, row.names = FALSE)

cat("\n== quartiles within year (ties broken by trust code)\n")
quart <- function(x, key) {
  # rank ascending on x, ties by key; bottom k and top k ranks, k = floor(n / 4); 2 = middle
  o <- order(x, key, method = "radix")  # radix: strings in C-locale (code point) order
  r <- integer(length(x)); r[o] <- seq_along(x)
  k <- floor(length(x) / 4)
  ifelse(r <= k, 1L, ifelse(r > length(x) - k, 4L, 2L))
}
d$q <- NA_integer_
for (y in years) {
  i <- d$year == y
  d$q[i] <- quart(d$eng[i], d$trust[i])
}
qy <- do.call(rbind, lapply(years, function(y) {
  g <- d[d$year == y, ]
  top <- g$shmi[g$q == 4]; bot <- g$shmi[g$q == 1]
  data.frame(year = y, n = nrow(g), n_bottom = length(bot), n_middle = sum(g$q == 2),
             n_top = length(top), mean_top = mean(top), mean_bottom = mean(bot),
             difference = mean(top) - mean(bot),
             pct_lower = (mean(bot) - mean(top)) / mean(bot) * 100,
             tied_trusts = sum(duplicated(g$eng)),
             # trusts sharing the engagement score that straddles each cut (0 = no tie across the cut)
             tied_at_bottom_cut = with(list(e = sort(g$eng), k = length(bot)),
                                       if (e[k] == e[k + 1]) sum(e == e[k]) else 0L),
             tied_at_top_cut = with(list(e = sort(g$eng), k = length(top), n = nrow(g)),
                                    if (e[n - k] == e[n - k + 1]) sum(e == e[n - k + 1]) else 0L))
}))
print(qy, row.names = FALSE)
top <- d$shmi[d$q == 4]; bot <- d$shmi[d$q == 1]
cat("\npooled over years: n_top", length(top), " n_bottom", length(bot),
    " mean_top", mean(top), " mean_bottom", mean(bot),
    " difference", mean(top) - mean(bot), " pct_lower", (mean(bot) - mean(top)) / mean(bot) * 100, "\n")
cat("median over years: pct_lower", median(qy$pct_lower), " top", median(qy$mean_top),
    " bottom", median(qy$mean_bottom), " difference", median(qy$difference), "\n")
cat("mean of per-year SHMI quartile means: top", mean(qy$mean_top), " bottom", mean(qy$mean_bottom), "\n")
tt <- t.test(top, bot, var.equal = FALSE)
cat("Welch t-test pooled top vs bottom: t", unname(tt$statistic), " df", unname(tt$parameter),
    " p", tt$p.value, "\n")

cat("\n== per-year correlation engagement ~ SHMI\n")
ry <- do.call(rbind, lapply(years, function(y) {
  g <- d[d$year == y, ]
  ct <- cor.test(g$eng, g$shmi)
  data.frame(year = y, n = nrow(g), r = unname(ct$estimate), ci_low = ct$conf.int[1],
             ci_high = ct$conf.int[2], p_value = ct$p.value)
}))
print(ry, row.names = FALSE)

cat("\n== meta-analysis of per-year r (years as studies)\n")
es <- escalc(measure = "ZCOR", ri = ry$r, ni = ry$n)
for (m in c("FE", "DL", "REML")) {
  # REML iterated to a tight threshold (metafor's default stops at a tau2 change of 1e-5)
  fit <- rma(yi, vi, data = es, method = m, control = list(threshold = 1e-12, maxiter = 1000))
  pr <- predict(fit, transf = transf.ztor)
  cat(sprintf("%-4s z %.15g se %.15g  r %.15g  ci %.15g %.15g  pi %.15g %.15g  tau2 %.15g  I2 %.15g  Q %.15g  Qp %.15g\n",
              m, fit$b[1], fit$se, pr$pred, pr$ci.lb, pr$ci.ub,
              ifelse(is.null(pr$pi.lb), NA, pr$pi.lb), ifelse(is.null(pr$pi.ub), NA, pr$pi.ub),
              fit$tau2, fit$I2, fit$QE, fit$QEp))
}
n <- ry$n; r <- ry$r
rbar <- sum(n * r) / sum(n)
var_obs <- sum(n * (r - rbar)^2) / sum(n)
nbar <- mean(n)
var_e <- (1 - rbar^2)^2 / (nbar - 1)
var_rho <- max(var_obs - var_e, 0)
cat("Hunter-Schmidt bare-bones: k", length(r), " N", sum(n), " rbar", rbar, " var_obs", var_obs,
    " var_e", var_e, " var_res", var_obs - var_e, " sd_res", sqrt(var_rho),
    " pct_artifact", 100 * var_e / var_obs, "\n")
cat("  se(rbar) = sqrt(var_obs / k):", sqrt(var_obs / length(r)), "\n")

cat("\n== regression with year effects: SHMI ~ z(engagement) + factor(year)\n")
d$z <- (d$eng - mean(d$eng)) / sd(d$eng)
cat("pooled engagement mean", mean(d$eng), " sd", sd(d$eng), "\n")
m1 <- lm(shmi ~ z + factor(year), data = d)
print(coeftest(m1)["z", ])
cat("cluster-robust by trust (CR1):\n")
print(coeftest(m1, vcov = vcovCL(m1, cluster = ~trust, type = "HC1"))["z", ])
cat("HC1 (no clustering):\n")
print(coeftest(m1, vcov = vcovHC(m1, type = "HC1"))["z", ])
cat("R2", summary(m1)$r.squared, " n", nobs(m1), "\n")
m0 <- lm(shmi ~ z, data = d)
cat("without year effects: slope", coef(m0)["z"], " se", summary(m0)$coefficients["z", 2], "\n")
d$zy <- ave(d$eng, d$year, FUN = function(x) (x - mean(x)) / sd(x))
m2 <- lm(shmi ~ zy + factor(year), data = d)
cat("engagement standardised within year: slope", coef(m2)["zy"], " se",
    summary(m2)$coefficients["zy", 2], "\n")
cat("raw engagement (per scale point) with year effects: slope", coef(lm(shmi ~ eng + factor(year), data = d))["eng"], "\n")

cat("\n== lagged design (same trust, consecutive years)\n")
nxt <- d[, c("trust", "year", "eng", "shmi")]
names(nxt) <- c("trust", "year_next", "eng_next", "shmi_next")
nxt$year <- nxt$year_next - 1
lag <- merge(d[, c("trust", "year", "eng", "shmi")], nxt[, c("trust", "year", "eng_next", "shmi_next")],
             by = c("trust", "year"))
cat("pairs:", nrow(lag), " trusts:", length(unique(lag$trust)), "\n")
lag$z_eng <- (lag$eng - mean(lag$eng)) / sd(lag$eng)
lag$z_shmi <- (lag$shmi - mean(lag$shmi)) / sd(lag$shmi)
fwd <- lm(shmi_next ~ z_eng + shmi, data = lag)
rev <- lm(eng_next ~ z_shmi + eng, data = lag)
cat("forward  SHMI[t+1] ~ z_eng[t] + SHMI[t]\n"); print(coeftest(fwd))
cat("  cluster-robust by trust (CR1) for z_eng:\n")
print(coeftest(fwd, vcov = vcovCL(fwd, cluster = ~trust, type = "HC1"))["z_eng", ])
cat("reverse  eng[t+1] ~ z_shmi[t] + eng[t]\n"); print(coeftest(rev))
cat("  cluster-robust by trust (CR1) for z_shmi:\n")
print(coeftest(rev, vcov = vcovCL(rev, cluster = ~trust, type = "HC1"))["z_shmi", ])
fwd_y <- lm(shmi_next ~ z_eng + shmi + factor(year), data = lag)
rev_y <- lm(eng_next ~ z_shmi + eng + factor(year), data = lag)
cat("with year effects: forward slope", coef(fwd_y)["z_eng"], " se", summary(fwd_y)$coefficients["z_eng", 2],
    " CR1-by-trust se", sqrt(vcovCL(fwd_y, cluster = ~trust, type = "HC1")["z_eng", "z_eng"]),
    "; reverse slope", coef(rev_y)["z_shmi"], " se", summary(rev_y)$coefficients["z_shmi", 2], "\n")

cat("\ncross-lagged, all four variables standardised over the paired sample (Harter et al. 2010 design)\n")
zs <- function(x) (x - mean(x)) / sd(x)
cl <- data.frame(trust = lag$trust, year = lag$year, e0 = zs(lag$eng), y0 = zs(lag$shmi),
                 e1 = zs(lag$eng_next), y1 = zs(lag$shmi_next))
cl_f <- lm(y1 ~ y0 + e0, data = cl)
cl_r <- lm(e1 ~ e0 + y0, data = cl)
cat("engagement -> SHMI: c1 ", coef(cl_f)["e0"], " se ", summary(cl_f)$coefficients["e0", 2],
    " p ", summary(cl_f)$coefficients["e0", 4], " stability a1 ", coef(cl_f)["y0"], "\n")
cat("SHMI -> engagement: c2 ", coef(cl_r)["y0"], " se ", summary(cl_r)$coefficients["y0", 2],
    " p ", summary(cl_r)$coefficients["y0", 4], " stability a2 ", coef(cl_r)["e0"], "\n")
cat("cluster-robust by trust (CR1): se c1 ", sqrt(vcovCL(cl_f, cluster = ~trust, type = "HC1")["e0", "e0"]),
    " se c2 ", sqrt(vcovCL(cl_r, cluster = ~trust, type = "HC1")["y0", "y0"]), "\n")
cat("with year effects (factor(year) of the t wave):\n")
cl_fy <- lm(y1 ~ y0 + e0 + factor(year), data = cl)
cl_ry <- lm(e1 ~ e0 + y0 + factor(year), data = cl)
cat("engagement -> SHMI: c1 ", coef(cl_fy)["e0"], " se ", summary(cl_fy)$coefficients["e0", 2],
    " p ", summary(cl_fy)$coefficients["e0", 4], " stability a1 ", coef(cl_fy)["y0"], "\n")
cat("SHMI -> engagement: c2 ", coef(cl_ry)["y0"], " se ", summary(cl_ry)$coefficients["y0", 2],
    " p ", summary(cl_ry)$coefficients["y0", 4], " stability a2 ", coef(cl_ry)["e0"], "\n")
cat("cluster-robust by trust (CR1): se c1 ", sqrt(vcovCL(cl_fy, cluster = ~trust, type = "HC1")["e0", "e0"]),
    " se c2 ", sqrt(vcovCL(cl_ry, cluster = ~trust, type = "HC1")["y0", "y0"]), "\n")

cat("\n== CSPS: median of organisation engagement index vs the published benchmark\n")
pct <- function(x) as.numeric(sub("%$", "", x)) / 100
for (y in 2017:2019) {
  o <- read.csv(sprintf("data/external/uk_csps/csps%d_all_organisation_scores.csv", y),
                check.names = FALSE, stringsAsFactors = FALSE, fileEncoding = "UTF-8-BOM",
                colClasses = "character")
  code <- o[[3]]
  keep <- !(code %in% c("CIVILSERVICE", "CS_MEDIAN", "CS_MEAN"))
  e <- pct(o[[5]][keep])
  bench <- pct(o[[5]][code %in% c("CIVILSERVICE", "CS_MEDIAN")])
  cat(y, " organisations:", sum(keep), " missing:", sum(is.na(e)), " median:", median(e, na.rm = TRUE),
      " benchmark row:", bench, "\n")
  if (y == 2019) {
    perma <- pct(o[["PERMA Index"]][keep]); stress <- pct(o[["Proxy Stress Index"]][keep])
    mw <- pct(o[["My work"]][keep]); mgr <- pct(o[["My manager"]][keep])
    cat("2019 r(EEI, PERMA)", cor(e, perma), " r(EEI, proxy stress)", cor(e, stress),
        " r(EEI, My manager)", cor(e, mgr), " r(EEI, My work)", cor(e, mw), "\n")
    cat("2019 median PERMA", median(perma), " median proxy stress", median(stress), "\n")
    # quartiles across all organisations (one group), same rule as the NHS quartiles
    q <- quart(e, code[keep])
    for (v in list(list("wellbeing (PERMA), higher is better", perma, 1), list("proxy stress, lower is better", stress, -1))) {
      top <- mean(v[[2]][q == 4]); bot <- mean(v[[2]][q == 1])
      cat(sprintf("2019 quartiles %s: n_top %d n_bottom %d top %.15g bottom %.15g pct_better %.15g\n",
                  v[[1]], sum(q == 4), sum(q == 1), top, bot, v[[3]] * (top - bot) / bot * 100))
    }
  }
}
b <- read.csv("data/external/uk_csps/csps2009_2019_median_benchmark_scores.csv", check.names = FALSE)
cat("benchmark file EES 2017-2019:", unlist(b[b$Measure == "EES", c("2017", "2018", "2019")]), "\n")
