# A small HTTP server for qemu's curl driver in the tests: byte ranges,
# and Basic authentication when HTTP_AUTH=user:password is set.
# Usage: python3 http-range-server.py DIR PORT   (serves DIR on 127.0.0.1)
import base64, http.server, os, re, sys
class H(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass
    def send_head(self):
        auth = os.environ.get('HTTP_AUTH')
        if auth and self.headers.get('Authorization') != 'Basic ' + base64.b64encode(auth.encode()).decode():
            self.send_response(401)
            self.send_header('WWW-Authenticate', 'Basic realm="t"')
            self.send_header('Content-Length', '0')
            self.end_headers()
            return None
        path = self.translate_path(self.path)
        if not os.path.isfile(path):
            self.send_error(404); return None
        size = os.path.getsize(path)
        f = open(path, 'rb')
        m = re.match(r'bytes=(\d+)-(\d*)$', self.headers.get('Range', ''))
        if m:
            start = int(m.group(1)); end = min(int(m.group(2)) if m.group(2) else size - 1, size - 1)
            if start > end:
                f.close(); self.send_error(416); return None
            self.send_response(206)
            self.send_header('Content-Range', 'bytes %d-%d/%d' % (start, end, size))
            f.seek(start); self.remaining = end - start + 1
        else:
            self.send_response(200); self.remaining = size
        self.send_header('Accept-Ranges', 'bytes')
        self.send_header('Content-Length', str(self.remaining))
        self.end_headers()
        return f
    def copyfile(self, src, dst):
        while self.remaining > 0:
            b = src.read(min(self.remaining, 1 << 20))
            if not b: break
            dst.write(b); self.remaining -= len(b)
os.chdir(sys.argv[1])
http.server.ThreadingHTTPServer(('127.0.0.1', int(sys.argv[2])), H).serve_forever()
