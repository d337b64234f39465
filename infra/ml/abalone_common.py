"""Column names shared by the step scripts (same names as the portal's API)."""

FEATURE_COLUMNS = [
    "sex",
    "length",
    "diameter",
    "height",
    "wholeWeight",
    "shuckedWeight",
    "visceraWeight",
    "shellWeight",
]
NUMERIC_COLUMNS = FEATURE_COLUMNS[1:]
LABEL_COLUMN = "rings"
SEX_CATEGORIES = ["F", "I", "M"]
