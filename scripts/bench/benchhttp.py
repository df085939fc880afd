"""The HTTP client the benchmark scripts share: one keep-alive connection that reconnects when the server closes it."""
import http.client
import json
import urllib.parse


class Client:
    """One keep-alive HTTP connection that reconnects when the server closes it."""

    def __init__(self, url, key=None, timeout=60):
        u = urllib.parse.urlsplit(url)
        self.host, self.port, self.key, self.timeout = u.hostname, u.port, key, timeout
        self.conn = None

    def request(self, method, path, body=None, headers=None):
        h = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.key:
            h["Authorization"] = "Bearer " + self.key
        h.update(headers or {})
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body, ensure_ascii=False).encode()
        for attempt in range(2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
                self.conn.request(method, path, body=data, headers=h)
                r = self.conn.getresponse()
                payload = r.read()
                if r.getheader("Connection", "").lower() == "close":
                    self.close()
                return r.status, payload
            except (http.client.HTTPException, OSError):
                self.close()
                if attempt == 1:
                    raise

    def close(self):
        if self.conn is not None:
            try:
                self.conn.close()
            except OSError:
                pass
            self.conn = None
