"""Python's csv module reads what labels_csv_test wrote. Usage: check_labels_csv.py FILE"""
import csv
import sys

with open(sys.argv[1], newline="") as f:
    rows = list(csv.DictReader(f))
want = [
    {"file": 'dir, with comma/clip "1".npz', "gloss": "7", "cat": "8", "occluded": "1"},
    {"file": "plain.npz", "gloss": "1", "cat": "2", "occluded": "0"},
]
assert rows == want, rows
print("ok")
