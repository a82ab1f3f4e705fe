#!/bin/sh
# Write the dashboard's files (daemon/web/*) as C arrays, web.h's
# web_assets[], to standard output. Run by the Makefile.
set -e
echo '#include "web.h"'
i=0
for f in "$@"; do
	echo "static const unsigned char a$i[] = {"
	od -An -v -tx1 "$f" | sed -e 's/  */ /g' -e 's/^ //' -e 's/ $//' -e '/^$/d' \
	  -e 's/\([0-9a-f][0-9a-f]\)/0x\1,/g'
	echo "0 };"
	i=$((i + 1))
done
echo 'const struct web_asset web_assets[] = {'
i=0
for f in "$@"; do
	case "$f" in
	*.html) t='text/html; charset=utf-8' ;;
	*.css) t='text/css; charset=utf-8' ;;
	*.js) t='text/javascript; charset=utf-8' ;;
	*.svg) t='image/svg+xml' ;;
	*.png) t='image/png' ;;
	*) t='application/octet-stream' ;;
	esac
	echo "{ \"$(basename "$f")\", \"$t\", a$i, sizeof(a$i) - 1 },"
	i=$((i + 1))
done
echo '};'
echo 'const size_t web_nassets = sizeof(web_assets) / sizeof(web_assets[0]);'
