#!/usr/bin/perl
# Identical files under the prefix P (same content, mode and owner; over 16 KiB) become hardlinks of one
# another: Debian ships e.g. bin/git and lib/git-core/git as two copies, and docker layers keep hardlinks.
# Checksums come from one sha256sum run; every other step is in this process.
# Usage: hardlink-twins.pl P
use strict;
use warnings;
use lib __FILE__ =~ m{^(.*)/} ? $1 : '.';    # the kit's own WalkTree.pm
use WalkTree qw(walk_tree);
use File::Temp qw(tempfile);

my $P = shift @ARGV or die "usage: hardlink-twins.pl P\n";
my %stat;    # path -> [dev:inode, mode-uid-gid]

walk_tree($P, sub {
  my ($path, @st) = @_;
  $stat{$path} = ["$st[0]:$st[1]", sprintf('%o-%d-%d', $st[2] & 07777, @st[4, 5])] if -f _ && $st[7] > 16384;
});
exit 0 unless %stat;
my ($list, $listname) = tempfile(UNLINK => 1);
print {$list} "$_\0" for sort keys %stat;
close($list) or die "hardlink-twins: $listname: $!\n";
open(my $sums, '-|', 'xargs', '-0', '-r', '-a', $listname, 'sha256sum', '-z', '--') or die "hardlink-twins: sha256sum: $!\n";
my %first;    # checksum-mode-uid-gid -> the first path (in sorted order) with it
my $linked = 0;
{
  local $/ = "\0";
  my @lines = <$sums>;
  close($sums) or die "hardlink-twins: sha256sum failed\n";
  my %sum;
  for (@lines) {
    chomp;
    my ($s, $path) = /^([0-9a-f]{64}) [ *](.*)$/s or die "hardlink-twins: unexpected sha256sum output: $_\n";
    $sum{$path} = $s;
  }
  for my $path (sort keys %stat) {
    my $key = ($sum{$path} // die "hardlink-twins: no checksum for $path\n") . "-$stat{$path}[1]";
    my $first = $first{$key};
    if (!defined $first) { $first{$key} = $path; next }
    next if $stat{$first}[0] eq $stat{$path}[0];    # already one file
    my $tmp = "$path.dappdeps-twin";
    unlink($tmp);
    link($first, $tmp) or die "hardlink-twins: link $first: $!\n";
    rename($tmp, $path) or die "hardlink-twins: rename $tmp: $!\n";
    $linked++;
  }
}
print STDERR "dappdeps-seal: hardlinked $linked identical files\n";
