# Reference values for tests/test_regression.py, fitted in R on tests/data/regression_units.csv
# (written by tests/results/regression_make_data.py). Regenerate the printed output with:
#   Rscript tests/results/regression_R.R > tests/results/regression_R.txt
# Packages: MASS (glm.nb), lme4 (lmer), sandwich (vcovCL), lmtest (coeftest).
suppressPackageStartupMessages({library(MASS); library(lme4); library(sandwich); library(lmtest)})
options(digits = 12, width = 150)
d <- read.csv("tests/data/regression_units.csv")
tight <- glm.control(epsilon = 1e-12, maxit = 100)  # converge fully so estimates can be compared to 1e-6
cat(R.version.string, "\n")
cat("MASS", as.character(packageVersion("MASS")), "lme4", as.character(packageVersion("lme4")),
    "sandwich", as.character(packageVersion("sandwich")), "\n")

# engagement standardised within company on the estimation sample: (x - company mean) / company sd (n-1)
zwc <- function(x, g) (x - ave(x, g)) / ave(x, g, FUN = sd)
show <- function(label, fit, V = vcov(fit)) {
  cat("\n==", label, "==\n")
  print(cbind(estimate = coef(fit), se = sqrt(diag(V)))[seq_along(coef(fit)), , drop = FALSE])
}
pearson <- function(fit) sum(residuals(fit, type = "pearson")^2) / df.residual(fit)

# ---- Gaussian: customer_loyalty (9 rows missing -> 291 rows) ----
g <- d[!is.na(d$customer_loyalty), ]
cat("\nrows used for customer_loyalty:", nrow(g), "\n")
g$z <- zwc(g$engagement, g$company)
m_lm <- lm(customer_loyalty ~ z, data = g)
show("lm customer_loyalty ~ z (model-based)", m_lm)
show("lm customer_loyalty ~ z, vcovCL(cluster=~company, type='HC1')", m_lm, vcovCL(m_lm, cluster = ~company, type = "HC1"))
m_fe <- lm(customer_loyalty ~ z + factor(company), data = g)
show("lm customer_loyalty ~ z + factor(company) (fixed effects)", m_fe)
m_ctl <- lm(customer_loyalty ~ z + region, data = g)
show("lm customer_loyalty ~ z + region, vcovCL HC1", m_ctl, vcovCL(m_ctl, cluster = ~company, type = "HC1"))
m_re <- lmer(customer_loyalty ~ z + (1 | company), data = g, REML = TRUE)
cat("\n== lmer customer_loyalty ~ z + (1|company), REML=TRUE ==\n")
print(cbind(estimate = fixef(m_re), se = sqrt(diag(as.matrix(vcov(m_re))))))
print(as.data.frame(VarCorr(m_re))[, c("grp", "vcov")])
g$zo <- as.numeric(scale(g$engagement))
m_ov <- lm(customer_loyalty ~ zo, data = g)
show("lm customer_loyalty ~ z_overall (model-based)", m_ov)

d$z <- zwc(d$engagement, d$company)
# ---- Poisson: quality_defects with offset log(units_produced) ----
m_p <- glm(quality_defects ~ z, family = poisson, offset = log(units_produced), data = d, control = tight)
cat("\nPearson chi2/df quality_defects (Poisson):", pearson(m_p), "\n")
show("glm poisson quality_defects ~ z + offset(log(units_produced))", m_p)
show("glm poisson quality_defects, vcovCL HC1", m_p, vcovCL(m_p, cluster = ~company, type = "HC1"))

# ---- Poisson -> negative binomial: safety_incidents with offset log(hours_worked) ----
m_sp <- glm(safety_incidents ~ z, family = poisson, offset = log(hours_worked), data = d, control = tight)
cat("\nPearson chi2/df safety_incidents (Poisson):", pearson(m_sp), "\n")
m_nb <- glm.nb(safety_incidents ~ z + offset(log(hours_worked)), data = d, control = glm.control(epsilon = 1e-12, maxit = 100))
show("glm.nb safety_incidents ~ z + offset(log(hours_worked))", m_nb)
cat("theta:", m_nb$theta, " alpha = 1/theta:", 1 / m_nb$theta, " SE(theta):", m_nb$SE.theta, "\n")
show("glm.nb safety_incidents, vcovCL HC1", m_nb, vcovCL(m_nb, cluster = ~company, type = "HC1"))
# statsmodels' cluster sandwich uses the observed Hessian as bread; for the NB2 log link (not canonical) it
# differs from the expected information that sandwich::bread.glm uses. The same meat with the observed bread:
# -d2l/deta2 = theta * mu * (theta + y) / (theta + mu)^2   (theta held fixed)
X <- model.matrix(m_nb); mu <- fitted(m_nb); th <- m_nb$theta; y <- d$safety_incidents
bread_obs <- nrow(X) * solve(crossprod(X, X * (th * mu * (th + y) / (th + mu)^2)))
show("glm.nb safety_incidents, cluster sandwich with observed-information bread (meatCL HC1)", m_nb,
     sandwich(m_nb, bread. = bread_obs, meat. = meatCL(m_nb, cluster = ~company, type = "HC1")))

# ---- absenteeism: rate with exposure -> Poisson with offset log(scheduled_days) ----
m_a <- glm(absenteeism ~ z, family = poisson, offset = log(scheduled_days), data = d, control = tight)
cat("\nPearson chi2/df absenteeism (Poisson):", pearson(m_a), "\n")
show("glm poisson absenteeism ~ z + offset(log(scheduled_days))", m_a)

# ---- binomial: turnover = leavers out of headcount ----
m_b <- glm(cbind(turnover, headcount - turnover) ~ z, family = binomial, data = d, control = tight)
cat("\nPearson chi2/df turnover (binomial):", pearson(m_b), "\n")
show("glm binomial cbind(turnover, headcount - turnover) ~ z", m_b)
show("glm binomial turnover, vcovCL HC1", m_b, vcovCL(m_b, cluster = ~company, type = "HC1"))
m_qb <- glm(cbind(turnover, headcount - turnover) ~ z, family = quasibinomial, data = d, control = tight)
show("glm quasibinomial turnover", m_qb)
m_bfe <- glm(cbind(turnover, headcount - turnover) ~ z + factor(company), family = binomial, data = d, control = tight)
show("glm binomial turnover ~ z + factor(company)", m_bfe)

# ==== lagged models on tests/data/regression_panel.csv (2023 -> 2024) ====
p <- read.csv("tests/data/regression_panel.csv")
a <- p[p$period == 2023, ]; b <- p[p$period == 2024, ]
pairs <- merge(a, b[, c("unit_id", "engagement", "customer_loyalty", "safety_incidents", "hours_worked")],
               by = "unit_id", suffixes = c("", "_next"))
cat("\nunits in 2023:", nrow(a), " paired with 2024:", nrow(pairs), " unpaired:", nrow(a) - nrow(pairs), "\n")
pairs$z <- zwc(pairs$engagement, pairs$company)
# lag=1: outcome(t+1) ~ z(engagement t) + z(outcome value t), within company on the paired sample
pairs$loy_lag <- zwc(pairs$customer_loyalty, pairs$company)
m_lag <- lm(customer_loyalty_next ~ z + loy_lag, data = pairs)
show("lag=1 lm customer_loyalty(t+1) ~ z + z(loyalty t), vcovCL HC1", m_lag, vcovCL(m_lag, cluster = ~company, type = "HC1"))
pairs$rate_t <- pairs$safety_incidents / pairs$hours_worked * 200000
pairs$inc_lag <- zwc(pairs$rate_t, pairs$company)
m_lp <- glm(safety_incidents_next ~ z + inc_lag, family = poisson, offset = log(hours_worked_next), data = pairs,
            control = tight)
cat("Pearson chi2/df lagged safety_incidents (Poisson):", pearson(m_lp), "\n")
m_lnb <- glm.nb(safety_incidents_next ~ z + inc_lag + offset(log(hours_worked_next)), data = pairs,
                control = glm.control(epsilon = 1e-12, maxit = 100))
show("lag=1 glm.nb safety_incidents(t+1) ~ z + z(rate t) + offset(log(hours t+1)) (model-based)", m_lnb)
cat("theta:", m_lnb$theta, "\n")
# cross-lagged: all four variables standardised within company on the paired sample
pairs$ze_next <- zwc(pairs$engagement_next, pairs$company)
pairs$zy_next <- zwc(pairs$customer_loyalty_next, pairs$company)
m_f <- lm(zy_next ~ z + loy_lag, data = pairs)
m_r <- lm(ze_next ~ loy_lag + z, data = pairs)
show("cross-lagged engagement -> loyalty: z(loy t+1) ~ z(eng t) + z(loy t), vcovCL HC1", m_f,
     vcovCL(m_f, cluster = ~company, type = "HC1"))
show("cross-lagged loyalty -> engagement: z(eng t+1) ~ z(loy t) + z(eng t), vcovCL HC1", m_r,
     vcovCL(m_r, cluster = ~company, type = "HC1"))
# t-based CI with G - 1 = 7 df, as statsmodels OLS with cluster SEs and use_t=True
ci_f <- coeftest(m_f, vcov. = vcovCL(m_f, cluster = ~company, type = "HC1"), df = 7)
print(confint(ci_f, level = 0.95))

# ==== company fixed effects for count models (regression_units.csv; z as above) ====
m_pfe <- glm(quality_defects ~ z + factor(company), family = poisson, offset = log(units_produced), data = d,
             control = tight)
cat("\nPearson chi2/df quality_defects ~ z + factor(company) (Poisson):", pearson(m_pfe), "\n")
show("glm poisson quality_defects ~ z + factor(company) (z row)", m_pfe)
m_spfe <- glm(safety_incidents ~ z + factor(company), family = poisson, offset = log(hours_worked), data = d,
              control = tight)
cat("Pearson chi2/df safety_incidents ~ z + factor(company) (Poisson):", pearson(m_spfe), "\n")
m_nbfe <- glm.nb(safety_incidents ~ z + factor(company) + offset(log(hours_worked)), data = d,
                 control = glm.control(epsilon = 1e-12, maxit = 100))
show("glm.nb safety_incidents ~ z + factor(company)", m_nbfe)
cat("theta:", m_nbfe$theta, "\n")
