"""Paper S under continuous monitoring: stochastic master equations and chirality reversals."""
