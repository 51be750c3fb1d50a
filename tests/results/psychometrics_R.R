# Reference values for tests/test_psychometrics.py (and icc_from_units in tests/test_scoring.py).
# Regenerate from /work/main:  Rscript tests/results/psychometrics_R.R > tests/results/psychometrics_R.txt
# Packages: psych (Revelle), multilevel (Bliese). Data exported to tests/data/ with write.csv:
#   tests/data/bfi_agree.csv        psych::bfi, columns A1..A5 (Agreeableness; 2800 respondents, 1-6 scale, NA = missing)
#   tests/data/bh1996_wbeing.csv    multilevel::bh1996, columns GRP, WBEING (7382 soldiers in 99 companies)
#   tests/data/bhr2000.csv          multilevel::bhr2000, columns GRP, AF06..AS28 (11 items, 1-5 scale; 5400 soldiers)
suppressPackageStartupMessages({library(psych); library(multilevel)})
options(digits = 15, width = 200)
cat("R:", R.version.string, " psych:", as.character(packageVersion("psych")),
    " multilevel:", as.character(packageVersion("multilevel")), "\n")

data(bfi, package = "psych")
agree <- bfi[, c("A1", "A2", "A3", "A4", "A5")]
write.csv(agree, "tests/data/bfi_agree.csv", row.names = FALSE)
x <- agree
x$A1 <- 7 - x$A1                                  # A1 is reverse keyed (1-6 scale)

cat("\n## psych::alpha, A1 reversed, pairwise covariances (psych default use='pairwise')\n")
a <- alpha(x)
print(a$total)
cat("Feldt lower:", a$feldt$lower.ci[[1]], " upper:", a$feldt$upper.ci[[1]], "\n")
print(a$alpha.drop[, c("raw_alpha", "std.alpha")])
print(a$item.stats[, c("n", "r.drop", "mean", "sd")])
cat("nrow:", nrow(x), " rows with any answer:", sum(rowSums(!is.na(x)) > 0), "\n")

cat("\n## psych::alpha, A1 reversed, listwise (na.omit)\n")
xl <- na.omit(x)
b <- alpha(xl)
cat("n listwise:", nrow(xl), "\n")
print(b$total)
cat("Feldt lower:", b$feldt$lower.ci[[1]], " upper:", b$feldt$upper.ci[[1]], "\n")
print(b$alpha.drop[, c("raw_alpha", "std.alpha")])
print(b$item.stats[, c("n", "r.drop", "mean", "sd")])

cat("\n## multilevel::ICC1 / ICC2 on bh1996 WBEING by GRP (unequal group sizes)\n")
data(bh1996, package = "multilevel")
write.csv(bh1996[, c("GRP", "WBEING")], "tests/data/bh1996_wbeing.csv", row.names = FALSE)
mod <- aov(WBEING ~ as.factor(GRP), data = bh1996)
print(summary(mod))
s <- summary(mod)[[1]]
cat("ICC1:", ICC1(mod), "\n")
cat("ICC2:", ICC2(mod), "\n")
cat("F:", s[1, "F value"], " df1:", s[1, "Df"], " df2:", s[2, "Df"], " p:", s[1, "Pr(>F)"], "\n")
cat("MSB:", s[1, "Mean Sq"], " MSW:", s[2, "Mean Sq"], "\n")
# The 'adjusted' group size n0 = (N - sum(n_j^2)/N)/(G - 1) (Snedecor & Cochran; Searle 1971), by hand:
nj <- table(bh1996$GRP); N <- sum(nj); G <- length(nj)
n0 <- (N - sum(nj^2) / N) / (G - 1)
MSB <- s[1, "Mean Sq"]; MSW <- s[2, "Mean Sq"]
cat("mean group size:", N / G, " n0:", n0, "\n")
cat("ICC1 with n0:", (MSB - MSW) / (MSB + (n0 - 1) * MSW), "\n")

cat("\n## ICC1 / ICC2 within two halves of bh1996 (GRP <= 50 -> 'a', GRP > 50 -> 'b'), for by= groups\n")
for (h in c("a", "b")) {
  sub <- if (h == "a") bh1996[bh1996$GRP <= 50, ] else bh1996[bh1996$GRP > 50, ]
  m <- aov(WBEING ~ as.factor(GRP), data = sub)
  cat("half", h, " ICC1:", ICC1(m), " ICC2:", ICC2(m), " n:", nrow(sub), "\n")
}

cat("\n## multilevel::rwg.j on bhr2000 items AF06..AS28 by GRP\n")
data(bhr2000, package = "multilevel")
write.csv(bhr2000[, 1:12], "tests/data/bhr2000.csv", row.names = FALSE)
r <- rwg.j(bhr2000[, 2:12], bhr2000$GRP, ranvar = 2)
cat("uniform null (ranvar = 2): mean", mean(r$rwg.j), " median", median(r$rwg.j), " n groups", nrow(r), "\n")
print(head(r, 10))
write.csv(r, "tests/results/psychometrics_rwgj_uniform.csv", row.names = FALSE)
r2 <- rwg.j(bhr2000[, 2:12], bhr2000$GRP, ranvar = 1.34)
cat("slight skew null (ranvar = 1.34): mean", mean(r2$rwg.j), " median", median(r2$rwg.j),
    " groups set to 0:", sum(r2$rwg.j == 0), "\n")
write.csv(r2, "tests/results/psychometrics_rwgj_slight.csv", row.names = FALSE)
cat("\n## rwg.j with AF06 missing in rows 1, 38, 75, ... (every 37th row; listwise deletion as rwg.j does)\n")
x2 <- bhr2000[, 1:12]
x2$AF06[seq(1, nrow(x2), by = 37)] <- NA
r3 <- rwg.j(x2[, 2:12], x2$GRP, ranvar = 2)
cat("mean", mean(r3$rwg.j), " median", median(r3$rwg.j), " total gsize", sum(r3$gsize), "\n")
write.csv(r3, "tests/results/psychometrics_rwgj_missing.csv", row.names = FALSE)
