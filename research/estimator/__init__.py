"""Training the quality estimator (issue 11): see README.md beside this file for the steps and their order."""
