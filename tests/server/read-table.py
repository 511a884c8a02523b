#!/usr/bin/python3
# Reads a report back as a spreadsheet program would and prints it as JSON for
# test-server-reports: an .xlsx with openpyxl (cells with their types and number formats, the
# frozen panes, merged cells, filters, widths), a .csv with the csv module.
import csv
import datetime
import json
import sys

path = sys.argv[1]
if path.endswith(".csv"):
    with open(path, encoding="utf-8-sig", newline="") as f:
        print(json.dumps({"rows": list(csv.reader(f))}, ensure_ascii=False))
    sys.exit(0)

import openpyxl

book = openpyxl.load_workbook(path)
sheet = book.active
rows = []
formats = []
for row in sheet.iter_rows():
    values = []
    for cell in row:
        value = cell.value
        if isinstance(value, (datetime.datetime, datetime.date)):
            value = {"date": value.strftime("%Y-%m-%d")}
        values.append(value)
    rows.append(values)
    formats.append([cell.number_format for cell in row])
print(json.dumps({
    "sheet": sheet.title,
    "title": book.properties.title,
    "freeze": sheet.freeze_panes,
    "merged": sorted(str(r) for r in sheet.merged_cells.ranges),
    "filter": sheet.auto_filter.ref,
    "widths": {key: dim.width for key, dim in sheet.column_dimensions.items()},
    "rows": rows,
    "formats": formats,
}, ensure_ascii=False))
