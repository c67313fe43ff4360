"""A small HTTP client for the KV and SQL APIs in e2e tests (urllib, no dependencies)."""
import base64
import http.client
import json
import urllib.parse


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    def lines(self):
        return [json.loads(line) for line in self.body.decode().splitlines() if line]


class Client:
    def __init__(self, port, user=None, password=None, timeout=120):
        self.port = port
        self.timeout = timeout
        self.auth = None
        if user is not None:
            token = base64.b64encode(f"{user}:{password or ''}".encode()).decode()
            self.auth = "Basic " + token

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        h = dict(headers or {})
        if self.auth:
            h["Authorization"] = self.auth
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        try:
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            return Response(r.status, r.headers, r.read())
        finally:
            conn.close()

    # --- KV ---
    @staticmethod
    def key_path(key):
        if isinstance(key, str):
            key = key.encode()
        return "/v1/kv/" + urllib.parse.quote_from_bytes(key, safe="")

    def put(self, key, value, ttl=None):
        q = f"?ttl={ttl}" if ttl is not None else ""
        if isinstance(value, str):
            value = value.encode()
        return self.request("PUT", self.key_path(key) + q, body=value)

    def get(self, key):
        return self.request("GET", self.key_path(key))

    def delete(self, key):
        return self.request("DELETE", self.key_path(key))

    def scan(self, **params):
        q = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
        return self.request("GET", "/v1/kv" + ("?" + q if q else ""))

    def txn(self, doc):
        return self.request("POST", "/v1/kv/txn", body=doc)

    # --- SQL ---
    def sql(self, sql=None, params=None, statements=None, database=None):
        doc = {}
        if sql is not None:
            doc["sql"] = sql
        if params is not None:
            doc["params"] = params
        if statements is not None:
            doc["statements"] = statements
        if database is not None:
            doc["database"] = database
        return self.request("POST", "/v1/sql", body=doc)


def record_bytes(rec, name):
    """The bytes of a KV record field, whichever of name / name_b64 it came as."""
    if name in rec:
        assert name + "_b64" not in rec
        return rec[name].encode()
    return base64.b64decode(rec[name + "_b64"])


def rows(resp):
    """The row objects of an NDJSON SQL answer (all statements)."""
    return [l for l in resp.lines() if "columns" not in l and "command" not in l]
