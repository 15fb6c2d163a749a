import time, json, requests
from brownie import chain, web3
from tests.contracts import helpers

def test_probe(book, usdc, lenders, borrower, attest, list_loan):
    loan_id = list_loan()
    fn = book.claimable
    t = time.time()
    for _ in range(50):
        data = fn.encode_input(loan_id, lenders[0])
    print("encode", (time.time() - t) / 50)
    r = web3.eth.call({"to": fn._address, "data": data})
    t = time.time()
    for _ in range(50):
        fn.decode_output(r)
    print("decode", (time.time() - t) / 50)
    t = time.time()
    for _ in range(50):
        web3.eth.call({"to": fn._address, "data": data})
    print("web3 call", (time.time() - t) / 50)
    payload = {"jsonrpc": "2.0", "id": 1, "method": "eth_call", "params": [{"to": fn._address, "data": data}, "latest"]}
    t = time.time()
    for _ in range(50):
        requests.post("http://127.0.0.1:8561", json=payload).json()
    print("raw http", (time.time() - t) / 50)
    s = requests.Session()
    t = time.time()
    for _ in range(50):
        s.post("http://127.0.0.1:8561", json=payload).json()
    print("raw session", (time.time() - t) / 50)
    t = time.time()
    for _ in range(5):
        s.post("http://127.0.0.1:8561", json=[dict(payload, id=i) for i in range(24)]).json()
    print("raw batch24", (time.time() - t) / 5)
    payload = {"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber", "params": []}
    t = time.time()
    for _ in range(50):
        s.post("http://127.0.0.1:8561", json=payload).json()
    print("blocknumber", (time.time() - t) / 50)
