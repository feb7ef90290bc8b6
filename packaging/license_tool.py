"""The vendor's license tool (not shipped in the irbox executable).

    python packaging/license_tool.py keygen                # prints PRIVATE and PUBLIC (base64)
    python packaging/license_tool.py sign --private-key FILE --org "Acme" --tier team \\
        --seats 10 --expires-at 2027-12-31T00:00:00Z [--grace-days 14] [--out license.json]

Keep the private key offline. Put the public key in irbox/license/keys.py (or, for tests and
trials, in an installation's `license_public_keys`)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from irbox.ids import new_id
from irbox.license.signing import new_key_pair, sign


def main() -> int:
    parser = argparse.ArgumentParser(prog="license_tool")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("keygen")
    p = sub.add_parser("sign")
    p.add_argument("--private-key", required=True, help="file holding the base64 private key")
    p.add_argument("--org", required=True)
    p.add_argument("--tier", required=True, choices=("team", "company"))
    p.add_argument("--seats", required=True, type=int)
    p.add_argument("--expires-at", required=True)
    p.add_argument("--issued-at", default=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    p.add_argument("--grace-days", type=int, default=14)
    p.add_argument("--license-id", default=None)
    p.add_argument("--out", default="-")
    args = parser.parse_args()
    if args.command == "keygen":
        private, public = new_key_pair()
        print(f"PRIVATE {private}\nPUBLIC  {public}")
        return 0
    payload = {
        "license_id": args.license_id or new_id("lic"),
        "org": args.org,
        "tier": args.tier,
        "seats": args.seats,
        "issued_at": args.issued_at,
        "expires_at": args.expires_at,
        "grace_days": args.grace_days,
    }
    document = sign(payload, Path(args.private_key).read_text().strip())
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if args.out == "-":
        sys.stdout.write(text)
    else:
        Path(args.out).write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
