"""A TCP forwarder run inside a node's network namespace by cluster.py (netns mode).

micedb's SQL and HTTP listeners, in their development (insecure) mode, serve loopback peers
only. In netns mode each node listens for SQL and HTTP on 127.0.0.1 inside its namespace
and this forwarder listens on the node's 10.x address and relays each connection to it, so
clients in the root namespace reach the node through its veth (where iptables and tc act)
and micedb still sees a loopback peer. When micedb is down, a relayed connection is closed
at once, as a refused connection would be.

usage: tcpfwd.py LISTEN_HOST:PORT=TARGET_HOST:PORT [...]
Prints "forwarding" when every listener is bound; runs until killed.
"""
import socket
import sys
import threading

BUF_BYTES = 65536


def pump(src, dst):
    try:
        while True:
            b = src.recv(BUF_BYTES)
            if not b:
                break
            dst.sendall(b)
    except OSError:
        pass
    for s in (dst, src):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def relay(client, target):
    try:
        up = socket.create_connection(target, timeout=5)
        up.settimeout(None)
    except OSError:
        client.close()
        return
    for s in (client, up):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    t = threading.Thread(target=pump, args=(up, client), daemon=True)
    t.start()
    pump(client, up)
    t.join()
    client.close()
    up.close()


def serve(listener, target):
    while True:
        c, _ = listener.accept()
        threading.Thread(target=relay, args=(c, target), daemon=True).start()


def parse(hp):
    host, port = hp.rsplit(":", 1)
    return host, int(port)


def main(argv):
    threads = []
    for spec in argv:
        lhs, rhs = spec.split("=")
        ls = socket.socket()
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(parse(lhs))
        ls.listen(256)
        threads.append(threading.Thread(target=serve, args=(ls, parse(rhs)), daemon=True))
    for t in threads:
        t.start()
    print("forwarding", flush=True)
    for t in threads:
        t.join()


if __name__ == "__main__":
    main(sys.argv[1:])
