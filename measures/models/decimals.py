"""The shapes of the decimal columns the models share: sums of money and rates."""

MONEY = {"max_digits": 16, "decimal_places": 2}
# A rate is a share of a figure, at most all of it: rate × figure stays within FIGURE_CEILING.
RATE = {"max_digits": 7, "decimal_places": 4, "maximum": 1, "minimum": 0, "money": False}
