#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# make-certs.sh OUTDIR - test certificates for the emulator and the plugin.
#   ca.pem ca.key                 test CA
#   server.pem server.key         signed by ca, SAN DNS:localhost IP:127.0.0.1 IP:::1
#   wronghost.pem wronghost.key   signed by ca, SAN DNS:wrong.example only
#   other-ca.pem other-ca.key     a second CA nobody trusts
#   untrusted.pem untrusted.key   signed by other-ca, SAN as server
#   capath/                       hashed directory holding ca.pem
#   client.pem                    RSA 2048 key + its self-signed cert, one file
#   client.crt                    client.pem's certificate alone (for registration)
#   client2.pem client2.crt       another client identity (not registered by default)
#   client-enc.pem                key encrypted with passphrase "test-passphrase" + cert
#   client-mismatch.pem           client.pem's certificate with client2's key
# Idempotent: does nothing when OUTDIR/.complete exists. Built in a temporary
# directory and renamed into place, so concurrent callers never see half a set.
set -eu
out=${1:?usage: make-certs.sh OUTDIR}
[ -f "$out/.complete" ] && exit 0
mkdir -p "$(dirname "$out")"
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
tmp=$(mktemp -d "$out.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
days=3650

key() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null; }

# The CA's extensions come from a configuration of its own: OpenSSL 1.1.1
# (Debian 11) adds the default configuration's basicConstraints next to an
# -addext one, and a certificate with the extension twice verifies nothing.
printf '%s\n' '[req]' 'distinguished_name = dn' 'x509_extensions = ca' '[dn]' '[ca]' \
	'basicConstraints = critical,CA:TRUE' 'keyUsage = critical,keyCertSign,cRLSign' \
	'subjectKeyIdentifier = hash' >ca.cnf

ca() { # name subject
	key "$1.key"
	openssl req -x509 -new -config ca.cnf -key "$1.key" -sha256 -days $days -subj "/CN=$2" \
		-out "$1.pem"
}

leaf() { # name ca san
	key "$1.key"
	openssl req -new -key "$1.key" -subj "/CN=$1" -out "$1.csr"
	printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' "$3" >"$1.ext"
	openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial -sha256 \
		-days $days -extfile "$1.ext" -out "$1.pem" 2>/dev/null
	rm -f "$1.csr" "$1.ext"
}

selfsigned() { # name -> name.key name.crt
	key "$1.key"
	openssl req -x509 -new -key "$1.key" -sha256 -days $days -subj "/CN=check_entra_sync test $1" \
		-out "$1.crt"
}

ca ca "check_entra_sync test CA"
ca other-ca "some other CA"
leaf server ca "DNS:localhost,IP:127.0.0.1,IP:::1"
leaf wronghost ca "DNS:wrong.example"
leaf untrusted other-ca "DNS:localhost,IP:127.0.0.1,IP:::1"

mkdir -p capath
cp ca.pem capath/ca.pem
openssl rehash capath

selfsigned client
selfsigned client2
cat client.key client.crt >client.pem
cat client2.key client2.crt >client2.pem
openssl pkey -in client.key -aes256 -passout pass:test-passphrase -out client-enc.key
cat client-enc.key client.crt >client-enc.pem
cat client2.key client.crt >client-mismatch.pem
rm -f client.key client2.key client-enc.key ./*.srl ca.cnf
chmod 600 ./*.key client*.pem
touch .complete
chmod 755 "$tmp"
cd /
if ! mv -T "$tmp" "$out" 2>/dev/null; then
	[ -f "$out/.complete" ] || { rm -rf "$out" && mv -T "$tmp" "$out"; }
fi
