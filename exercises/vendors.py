"""Exercise of notebook 01: the vendors the Parallel stack asks for quotes."""

# ✏️ Add a third vendor on the marked line, e.g. "Hertz": {"base_rate": "110"} (its price per day, in dollars).
VENDORS = {
    "Avis": {"base_rate": "99"},
    "Alamo": {"base_rate": "120"},
    # ✏️ your vendor here
}
