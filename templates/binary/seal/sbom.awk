# The SPDX 2.3 document of a sealed prefix, from the tables sbom.sh writes into `work` (see there).
# Variables: name, version, prefix, base (namespace URL), ns (unique part of it), created, lock (apt.lock), work.

function jstr(s) {
  gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); gsub(/\t/, "\\t", s); gsub(/\r/, "\\r", s)
  gsub(/[[:cntrl:]]/, "?", s)
  return "\"" s "\""
}
function spdxid(s) { gsub(/\+/, "plus", s); gsub(/[^A-Za-z0-9.-]/, "-", s); return s }
# purl (package-url): the version and qualifiers percent-encoded.
function purlenc(s) { gsub(/%/, "%25", s); gsub(/:/, "%3A", s); gsub(/\+/, "%2B", s); return s }
# One Debian license short name as an SPDX identifier; names SPDX does not list become LicenseRef-….
function spdxlicense(t,    k) {
  k = tolower(t)
  sub(/^[ \t]+/, "", k); sub(/[ \t]+$/, "", k)
  if (k in MAP) return MAP[k]
  ref = "LicenseRef-" spdxid(t)
  REFS[ref] = t
  return ref
}
# The license a package declares: its Files paragraphs' License values joined with AND, each once. Only the
# packages listed call it, so only their LicenseRefs are extracted.
function declared(p,    i, e, out, seen) {
  out = ""
  for (i = 1; i <= NRAW[p]; i++) {
    e = expression(RAW[p, i])
    if (e == "" || (e in seen)) continue
    seen[e] = 1
    if (index(e, " ") && !(e ~ /^\(.*\)$/)) e = "(" e ")"
    out = (out == "") ? e : out " AND " e
  }
  return (out == "") ? "NOASSERTION" : out
}
# A License field value: Debian's "A or B", "A and B", "A, and B" (no "with" exception: kept as a LicenseRef).
function expression(v,    n, alts, i, out, m, conj, j, term) {
  sub(/^[ \t]+/, "", v); sub(/[ \t]+$/, "", v)
  if (v == "") return ""
  gsub(/,/, " ", v)
  n = split(v, alts, / +or +/)
  out = ""
  for (i = 1; i <= n; i++) {
    m = split(alts[i], conj, / +and +/)
    term = ""
    for (j = 1; j <= m; j++) term = term (j > 1 ? " AND " : "") spdxlicense(conj[j])
    if (m > 1 && n > 1) term = "(" term ")"
    out = out (i > 1 ? " OR " : "") term
  }
  return out
}
BEGIN {
  split("gpl-1 GPL-1.0-only gpl-1+ GPL-1.0-or-later gpl-2 GPL-2.0-only gpl-2+ GPL-2.0-or-later gpl-2.0 GPL-2.0-only gpl-2.0+ GPL-2.0-or-later gpl-3 GPL-3.0-only gpl-3+ GPL-3.0-or-later gpl-3.0 GPL-3.0-only gpl-3.0+ GPL-3.0-or-later gplv2 GPL-2.0-only gplv2+ GPL-2.0-or-later gplv3 GPL-3.0-only gplv3+ GPL-3.0-or-later lgpl-2 LGPL-2.0-only lgpl-2+ LGPL-2.0-or-later lgpl-2.1 LGPL-2.1-only lgpl-2.1+ LGPL-2.1-or-later lgplv2.1+ LGPL-2.1-or-later lgpl-3 LGPL-3.0-only lgpl-3+ LGPL-3.0-or-later lgplv3+ LGPL-3.0-or-later agpl-3 AGPL-3.0-only agpl-3+ AGPL-3.0-or-later gfdl-1.2 GFDL-1.2-only gfdl-1.2+ GFDL-1.2-or-later gfdl-1.3 GFDL-1.3-only gfdl-1.3+ GFDL-1.3-or-later gfdl-niv-1.3 GFDL-1.3-no-invariants-only gfdl-niv-1.3+ GFDL-1.3-no-invariants-or-later bsd-2-clause BSD-2-Clause bsd-3-clause BSD-3-Clause bsd-4-clause BSD-4-Clause expat MIT mit MIT x11 X11 isc ISC zlib Zlib apache-2 Apache-2.0 apache-2.0 Apache-2.0 artistic Artistic-1.0 artistic-2.0 Artistic-2.0 cc0-1.0 CC0-1.0 cc0 CC0-1.0 mpl-1.1 MPL-1.1 mpl-2.0 MPL-2.0 psf-2 PSF-2.0 python Python-2.0 fsfullr FSFULLR fsful FSFUL fsfap FSFAP openssl OpenSSL curl curl beerware Beerware latex2e Latex2e 0bsd 0BSD bsl-1.0 BSL-1.0 unlicense Unlicense wtfpl WTFPL", kv, " ")
  for (i = 1; i in kv; i += 2) MAP[kv[i]] = kv[i + 1]
  while ((getline line < lock) > 0) {
    if (line ~ /^#/ || line == "") continue
    split(line, f, " ")
    if (f[4] != "-") DEBSHA[f[1]] = f[4]
  }
  FS = "\t"
  while ((getline line < (work "/packages")) > 0) { split(line, f, "\t"); VER[f[1]] = f[2]; ARCH[f[1]] = f[3] }
  while ((getline line < (work "/owners")) > 0) { split(line, f, "\t"); OWNER[f[1]] = f[2] }
  while ((getline line < (work "/launchers")) > 0) {
    LAUNCHER[line] = 1
    n = split(line, parts, "/")
    REALOF["libexec/dappdeps/real/" parts[n]] = line
  }
  while ((getline line < (work "/sha1")) > 0) { split(line, f, "\t"); SHA1[f[2]] = f[1] }
  while ((getline line < (work "/licenses")) > 0) {
    split(line, f, "\t")
    n = NRAW[f[1]] + 1
    NRAW[f[1]] = n
    RAW[f[1], n] = f[2]
  }
  nfiles = 0; links = 0
  while ((getline line < (work "/files")) > 0) {
    split(line, f, "\t"); rel = f[1]; type = f[2]
    owner = ""
    if (rel in LAUNCHER) owner = ""
    else if ((rel in REALOF) && (REALOF[rel] in OWNER)) owner = OWNER[REALOF[rel]]
    else if (rel in OWNER) owner = OWNER[rel]
    else if (rel ~ /__pycache__\/[^\/]+\.pyc$/) {
      # bytecode compiled by seal.sh from a package's module belongs to that package
      src = rel; sub(/__pycache__\/[^\/]+$/, "", src)
      mod = rel; sub(/^.*\//, "", mod); sub(/\..*$/, "", mod)
      if ((src mod ".py") in OWNER) owner = OWNER[src mod ".py"]
    }
    if (owner != "") { FILES[owner]++; continue }
    if (type != "f") { links++; continue }
    nfiles++; FNAME[nfiles] = rel
  }
  printf "{\n  \"spdxVersion\": \"SPDX-2.3\",\n  \"dataLicense\": \"CC0-1.0\",\n  \"SPDXID\": \"SPDXRef-DOCUMENT\",\n"
  printf "  \"name\": %s,\n", jstr("dappdeps-" name "-" version)
  printf "  \"documentNamespace\": %s,\n", jstr(base "/spdx/" name "/" version "/" ns)
  printf "  \"creationInfo\": {\"created\": %s, \"creators\": [\"Tool: dappdeps\"]},\n", jstr(created)
  printf "  \"documentDescribes\": [\"SPDXRef-Package-image\"],\n"
  printf "  \"packages\": [\n"
  printf "    {\"SPDXID\": \"SPDXRef-Package-image\", \"name\": %s, \"versionInfo\": %s, \"downloadLocation\": \"NOASSERTION\", \"filesAnalyzed\": false, \"primaryPackagePurpose\": \"CONTAINER\", \"licenseConcluded\": \"NOASSERTION\", \"licenseDeclared\": \"NOASSERTION\", \"copyrightText\": \"NOASSERTION\", \"comment\": %s}", jstr(name), jstr(version), jstr("the prefix " prefix " of the dappdeps image " name ":" version)
  npk = 0
  for (p in FILES) PK[++npk] = p
  # a stable order: insertion sort by name (a few hundred packages)
  for (i = 2; i <= npk; i++) { v = PK[i]; for (j = i - 1; j >= 1 && PK[j] > v; j--) PK[j + 1] = PK[j]; PK[j + 1] = v }
  for (i = 1; i <= npk; i++) {
    p = PK[i]
    purl = "pkg:deb/debian/" purlenc(p) "@" purlenc(VER[p]) "?arch=" ARCH[p]
    printf ",\n    {\"SPDXID\": %s, \"name\": %s, \"versionInfo\": %s, \"supplier\": \"Organization: Debian\", \"downloadLocation\": \"NOASSERTION\", \"filesAnalyzed\": false", jstr("SPDXRef-Package-deb-" spdxid(p)), jstr(p), jstr(VER[p])
    if (p in DEBSHA) printf ", \"checksums\": [{\"algorithm\": \"SHA256\", \"checksumValue\": %s}]", jstr(DEBSHA[p])
    printf ", \"licenseConcluded\": \"NOASSERTION\", \"licenseDeclared\": %s, \"copyrightText\": \"NOASSERTION\"", jstr(declared(p))
    printf ", \"comment\": %s", jstr(FILES[p] " files in the prefix (ELF files patched, paths relocated); architecture " ARCH[p])
    printf ", \"externalRefs\": [{\"referenceCategory\": \"PACKAGE-MANAGER\", \"referenceType\": \"purl\", \"referenceLocator\": %s}]}", jstr(purl)
  }
  printf "\n  ],\n  \"files\": [\n"
  for (i = 1; i <= nfiles; i++) {
    rel = FNAME[i]
    comment = (rel in LAUNCHER) ? "dappdeps launcher (static, compiled in the build stage)" : "in no Debian package: made by dappdeps sealing"
    printf "%s    {\"SPDXID\": \"SPDXRef-File-%d\", \"fileName\": %s, \"checksums\": [{\"algorithm\": \"SHA1\", \"checksumValue\": %s}], \"licenseConcluded\": \"NOASSERTION\", \"copyrightText\": \"NOASSERTION\", \"comment\": %s}", (i > 1 ? ",\n" : ""), i, jstr("./" rel), jstr(SHA1[rel]), jstr(comment)
  }
  printf "\n  ],\n"
  nref = 0
  printf "  \"hasExtractedLicensingInfos\": ["
  for (r in REFS) RK[++nref] = r
  for (i = 2; i <= nref; i++) { v = RK[i]; for (j = i - 1; j >= 1 && RK[j] > v; j--) RK[j + 1] = RK[j]; RK[j + 1] = v }
  for (i = 1; i <= nref; i++)
    printf "%s\n    {\"licenseId\": %s, \"name\": %s, \"extractedText\": %s}", (i > 1 ? "," : ""), jstr(RK[i]), jstr(REFS[RK[i]]), jstr("The license Debian names \"" REFS[RK[i]] "\" in the machine-readable copyright files under /usr/share/doc of the build stage.")
  printf "%s],\n", (nref > 0 ? "\n  " : "")
  printf "  \"relationships\": [\n    {\"spdxElementId\": \"SPDXRef-DOCUMENT\", \"relationshipType\": \"DESCRIBES\", \"relatedSpdxElement\": \"SPDXRef-Package-image\"}"
  for (i = 1; i <= npk; i++) printf ",\n    {\"spdxElementId\": \"SPDXRef-Package-image\", \"relationshipType\": \"CONTAINS\", \"relatedSpdxElement\": %s}", jstr("SPDXRef-Package-deb-" spdxid(PK[i]))
  for (i = 1; i <= nfiles; i++) printf ",\n    {\"spdxElementId\": \"SPDXRef-Package-image\", \"relationshipType\": \"CONTAINS\", \"relatedSpdxElement\": \"SPDXRef-File-%d\"}", i
  printf "\n  ],\n  \"comment\": %s\n}\n", jstr(links " symbolic links no package lists are not listed as files")
}
