"""From GraphiQL to a pandas DataFrame: page a macro connection with cursors, then read the same rows as an export.

Run:  CENTRUM_URL=http://127.0.0.1:4000 CENTRUM_TOKEN=<token> CENTRUM_EXPERIMENT=<id> python3 notebooks/centrum_notebook.py
(`npm start` prints tokens; `npm run token -- <userId>` signs one.) Needs Debian's python3-requests and python3-pandas.
Prints a JSON summary (what the test in test/notebooks/ compares with the server's own answers).
"""
import io
import json
import os

import pandas as pd
import requests

URL = os.environ.get("CENTRUM_URL", "http://127.0.0.1:4000")
TOKEN = os.environ.get("CENTRUM_TOKEN")
EXPERIMENT = os.environ["CENTRUM_EXPERIMENT"]
PAGE_SIZE = int(os.environ.get("CENTRUM_PAGE_SIZE", "100"))
HEADERS = {"Authorization": f"Bearer {TOKEN}"} if TOKEN else {}

QUERY = """
query Page($id: ID!, $first: Int, $after: String, $where: PhotosynthesisMeasurementWhere) {
  experiment(id: $id) {
    photosynthesis(first: $first, after: $after, where: $where) {
      edges { node { rowId timestamp deviceId Phi2 Light_Intensity_PAR } }
      pageInfo { hasNextPage endCursor }
      exportUrl(format: CSV, columns: ["rowId", "timestamp", "deviceId", "Phi2", "Light_Intensity_PAR"])
    }
  }
}
"""
WHERE = {"Phi2": {"gte": 0.2}}


def graphql(query, variables):
    response = requests.post(f"{URL}/graphql", json={"query": query, "variables": variables}, headers=HEADERS)
    response.raise_for_status()
    body = response.json()
    if body.get("errors"):
        raise RuntimeError(body["errors"])
    return body["data"]


# 1. Page the connection into a DataFrame (cursors: `after` = the last page's `endCursor`).
rows, after, pages, export_url = [], None, 0, None
while True:
    connection = graphql(QUERY, {"id": EXPERIMENT, "first": PAGE_SIZE, "after": after, "where": WHERE})["experiment"]["photosynthesis"]
    rows += [edge["node"] for edge in connection["edges"]]
    export_url = connection["exportUrl"]
    pages += 1
    if not connection["pageInfo"]["hasNextPage"]:
        break
    after = connection["pageInfo"]["endCursor"]
paged = pd.DataFrame(rows)

# 2. The same rows in one request: the export URL the connection returned, with the same token.
response = requests.get(export_url, headers=HEADERS, stream=True)
response.raise_for_status()
# Row ids are 64-bit: read them as text, never as floats.
exported = pd.read_csv(io.BytesIO(response.content), dtype={"rowId": str, "deviceId": str})

print(json.dumps({
    "pages": pages,
    "rows": len(paged),
    "rowIds": paged["rowId"].tolist() if len(paged) else [],
    "exportRows": len(exported),
    "exportRowIds": exported["rowId"].tolist(),
    "meanPhi2": float(exported["Phi2"].mean()) if len(exported) else None,
    "equal": paged["rowId"].tolist() == exported["rowId"].tolist()
             and paged["Phi2"].round(12).tolist() == exported["Phi2"].round(12).tolist(),
}))
