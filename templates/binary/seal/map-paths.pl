#!/usr/bin/perl
# copy_paths' file list in one process: reads absolute build-stage paths on stdin and prints, for tar -T,
# those to copy into the prefix (files and symlinks; not folders, the merged-/usr aliases nor what
# DD_EXCLUDE matches), without the leading "/", one per mapped name (/usr/X and /X are one file), sorted by it.
# Usage: DD_EXCLUDE=<regex> DD_MERGED_ALIASES=' /bin … ' map-paths.pl < paths
use strict;
use warnings;

my $exclude = $ENV{DD_EXCLUDE} // die "map-paths: DD_EXCLUDE is not set\n";
my %alias = map { $_ => 1 } split ' ', ($ENV{DD_MERGED_ALIASES} // die "map-paths: DD_MERGED_ALIASES is not set\n");
my %by_rel;
while (my $path = <STDIN>) {
  chomp $path;
  next unless $path =~ m{^/} && !$alias{$path} && $path !~ /$exclude/o;
  next unless -l $path || (-e _ && !-d _);
  (my $rel = $path) =~ s{^/}{};
  $rel =~ s{^usr/}{};
  $by_rel{$rel} //= substr($path, 1);
}
print "$by_rel{$_}\n" for sort keys %by_rel;
