# Synthetic pgwire client streams for the fuzz_pgwire corpus (complements real captures).
# Usage: python3 tests/server/support/gen_pgwire_corpus.py tests/fuzz/corpus/fuzz_pgwire
import struct, hashlib, hmac, base64, sys, os
out = sys.argv[1]
def startup(params, version=196608):
    body = struct.pack('>I', version) + b''.join(k.encode()+b'\0'+v.encode()+b'\0' for k, v in params) + b'\0'
    return struct.pack('>I', len(body)+4) + body
def msg(t, body): return t + struct.pack('>I', len(body)+4) + body
def cstr(s): return s.encode()+b'\0' if isinstance(s, str) else s+b'\0'
SSL = struct.pack('>II', 8, 80877103)
GSS = struct.pack('>II', 8, 80877104)
def Q(s): return msg(b'Q', cstr(s))
def P(name, q, oids=()): return msg(b'P', cstr(name)+cstr(q)+struct.pack('>H', len(oids))+b''.join(struct.pack('>I', o) for o in oids))
def B(portal, stmt, fmts=(), vals=(), rfmts=()):
    b = cstr(portal)+cstr(stmt)+struct.pack('>H', len(fmts))+b''.join(struct.pack('>h', f) for f in fmts)
    b += struct.pack('>H', len(vals))
    for v in vals: b += struct.pack('>i', -1) if v is None else struct.pack('>I', len(v))+v
    return msg(b'B', b + struct.pack('>H', len(rfmts))+b''.join(struct.pack('>h', f) for f in rfmts))
def D(k, n): return msg(b'D', k+cstr(n))
def E(p, n): return msg(b'E', cstr(p)+struct.pack('>i', n))
def C(k, n): return msg(b'C', k+cstr(n))
S = msg(b'S', b''); H = msg(b'H', b''); X = msg(b'X', b'')
def d(x): return msg(b'd', x)
c = msg(b'c', b'')
def f(s): return msg(b'f', cstr(s))
def F(oid, args): return msg(b'F', struct.pack('>IH', oid, 0)+struct.pack('>H', len(args))+b''.join(struct.pack('>I', len(a))+a for a in args)+struct.pack('>h', 0))
U = startup([('user', 'u'), ('database', 'd'), ('application_name', 'gen')])
seeds = {
  'gen_extended_row_limits': SSL+U+P('s1', 'select $1', (23,))+B('cur', 's1', (0,), (b'5',), (1,))+D(b'P', 'cur')+E('cur', 2)+E('cur', 2)+H+E('cur', 0)+C(b'P', 'cur')+C(b'S', 's1')+S+X,
  'gen_error_then_sync': U+P('', 'error here')+B('', '')+D(b'P', '')+E('', 0)+S+Q('select 1')+X,
  'gen_null_params_binary': U+P('', 'insert $1 $2 $3', (20, 1043, 0))+B('', '', (1,), (None, b'', b'\x00\x00\x00\x01'), (0, 1))+E('', 0)+S+X,
  'gen_copy_in_simple': U+Q('copy t from stdin')+d(b'1\t1\t0\t\n')+d(b'2\t1\t0\t\n')+d(b'\\.\n')+c+Q('copy t from stdin')+d(b'x\n')+f('cancelled')+Q('copy again')+d(b'e bad row')+d(b'more')+c+X,
  'gen_copy_in_extended': U+P('', 'copy t from stdin')+B('copy', '')+E('copy', 0)+d(b'1\n')+c+S+X,
  'gen_copy_out_notice': U+Q('out')+Q('notice')+Q('')+Q('e fails')+Q('select 1; select 2')+X,
  'gen_function_call': U+F(1598, [b'7', b'abc'])+Q('select 1')+X,
  'gen_cancel_request': struct.pack('>IIII', 16, 80877102, 1234, 5678),
  'gen_gssenc_ssl_negotiate': GSS+SSL+startup([('user', 'u'), ('_pq_.x', '1'), ('options', '-c a=b'), ('client_encoding', 'UTF8')], 196610)+Q('select 1')+X,
  'gen_nodb': startup([('user', 'u'), ('database', 'nodb')]),
  'gen_protocol_2': startup([], 131072),
}
# A SCRAM login that succeeds against the fuzz target's verifier ("pencil", salt "salt",
# 2 iterations, server nonce "fuzznonce"), then a query.
cn = 'cnonce'; nonce = cn + 'fuzznonce'
first_bare = 'n=,r=' + cn
server_first = 'r=%s,s=%s,i=2' % (nonce, base64.b64encode(b'salt').decode())
salted = hashlib.pbkdf2_hmac('sha256', b'pencil', b'salt', 2)
ck = hmac.new(salted, b'Client Key', 'sha256').digest(); sk = hashlib.sha256(ck).digest()
without = 'c=biws,r=' + nonce
am = (first_bare + ',' + server_first + ',' + without).encode()
proof = bytes(a ^ b for a, b in zip(ck, hmac.new(sk, am, 'sha256').digest()))
final = without + ',p=' + base64.b64encode(proof).decode()
init = ('n,,' + first_bare).encode()
A = startup([('user', 'alice'), ('database', 'd')])
seeds['gen_scram_alice_ok'] = SSL+A+msg(b'p', cstr('SCRAM-SHA-256')+struct.pack('>I', len(init))+init)+msg(b'p', final.encode())+Q('select 1')+X
seeds['gen_scram_wrong_proof'] = A+msg(b'p', cstr('SCRAM-SHA-256')+struct.pack('>I', len(init))+init)+msg(b'p', final.encode()[:-4]+b'AAA=')
for name, data in seeds.items():
    open(os.path.join(out, name), 'wb').write(data)
print(len(seeds))
