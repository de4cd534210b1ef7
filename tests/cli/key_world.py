"""key_world.py: what the key rotation tests (key_rotate*.sh) read back.

  key_world.py read BASE OUT   as the demo officer, over HTTP at BASE: every
                               person named by a case, whether searching by
                               family name, date of birth and A-number (blind
                               indexes) finds each, and every subpoena's item
                               values; written to OUT as sorted JSON, so two
                               reads of the same data compare byte for byte
  key_world.py found FILE      every search in FILE found its person, and
                               FILE holds people, A-numbers and item values;
                               prints the counts (exit 1 otherwise)
"""
import http.cookiejar
import json
import sys
import urllib.parse
import urllib.request


def read(base, out):
    op = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(path):
        with op.open(base + path) as r:
            return json.load(r)

    op.open(urllib.request.Request(
        base + "/api/v1/session", method="POST",
        data=json.dumps({"email": "officer@field.demo.example",
                         "password": "compel-demo-2020"}).encode(),
        headers={"Content-Type": "application/json"})).read()
    ids = set()
    for kind in ("detainers", "subpoenas"):
        for it in get("/api/v1/%s?limit=500" % kind)["items"]:
            if it.get("person_id"):
                ids.add(it["person_id"])
    people = {i: get("/api/v1/people/" + i) for i in sorted(ids)}
    found = {}
    for i, p in people.items():
        q = [("family_name", p["family_name"])]
        if p.get("date_of_birth"):
            q.append(("date_of_birth", p["date_of_birth"]))
        if (p.get("identifiers") or {}).get("a_number"):
            q.append(("a_number", p["identifiers"]["a_number"]))
        found[i] = {k: i in [x["id"] for x in get(
            "/api/v1/people?" + urllib.parse.urlencode({k: v}))["items"]]
            for k, v in q}
    values = {s["id"]: [x.get("value") for x in
                        get("/api/v1/subpoenas/" + s["id"]).get("items", [])]
              for s in get("/api/v1/subpoenas?limit=500")["items"]}
    with open(out, "w") as f:
        json.dump({"people": people, "found": found, "item_values": values},
                  f, sort_keys=True, indent=1)


def found(path):
    with open(path) as f:
        w = json.load(f)
    hits = [v for f in w["found"].values() for v in f.values()]
    anum = sum(1 for f in w["found"].values() if "a_number" in f)
    vals = sum(1 for v in w["item_values"].values() for x in v
               if x is not None)
    if not (w["people"] and anum and vals and all(hits)):
        print("people %d, A-numbers %d, item values %d, searches %s"
              % (len(w["people"]), anum, vals, w["found"]))
        return 1
    print("%d people, %d searches (%d by A-number), %d item values"
          % (len(w["people"]), len(hits), anum, vals))
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "read":
        read(sys.argv[2], sys.argv[3])
        sys.exit(0)
    sys.exit(found(sys.argv[2]))
