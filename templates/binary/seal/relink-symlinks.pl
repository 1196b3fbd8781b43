#!/usr/bin/perl
# Every symlink under the prefix P that is absolute, or relative but leaving P (crossing /usr), is made to
# point into P, relatively, as Debian's path maps into P (/usr/X and /X -> P/X). One process for all links.
# Usage: relink-symlinks.pl P
use strict;
use warnings;
use lib __FILE__ =~ m{^(.*)/} ? $1 : '.';    # the kit's own WalkTree.pm
use WalkTree qw(walk_tree);

my $P = shift @ARGV or die "usage: relink-symlinks.pl P\n";
$P =~ m{^/.*[^/]$} or die "relink-symlinks: P must be absolute, without a trailing /\n";

# Lexical normalisation, as `realpath -m -s`: no symlink is followed, ".." above / stays at /.
sub normalise {
  my @out;
  for my $part (split m{/+}, $_[0]) {
    next if $part eq '' || $part eq '.';
    if ($part eq '..') { pop @out } else { push @out, $part }
  }
  return @out;
}

# The path from folder $from to $to, both absolute, as `realpath -m -s --relative-to`.
sub relative {
  my @from = normalise($_[0]);
  my @to = normalise($_[1]);
  while (@from && @to && $from[0] eq $to[0]) { shift @from; shift @to }
  my $rel = join('/', ('..') x @from, @to);
  return $rel eq '' ? '.' : $rel;
}

# Debian absolute path -> path relative to P, as lib.sh's map_rel.
sub map_rel {
  (my $p = $_[0]) =~ s{^/}{};
  return '.' if $p eq 'usr';
  $p =~ s{^usr/}{};
  return $p;
}

my ($changed, $seen) = (0, 0);

sub relink {
  my ($link) = @_;
  my $target = readlink($link) // die "relink-symlinks: readlink $link: $!\n";
  (my $reldir = $link) =~ s{^\Q$P\E/?}{};
  $reldir = $reldir =~ m{/} ? $reldir =~ s{/[^/]*$}{}r : '.';
  my $abs = '/' . join('/', normalise($target =~ m{^/} ? $target : "/$reldir/$target"));
  if ($abs eq $P) { $abs = '/' }
  elsif (index($abs, "$P/") == 0) { $abs = substr($abs, length($P)) }    # already P-absolute
  my $new = relative("$P/$reldir", "$P/" . map_rel($abs));
  return if $new eq $target;
  my $tmp = "$link.dappdeps-relink";
  unlink($tmp);
  symlink($new, $tmp) or die "relink-symlinks: symlink $tmp: $!\n";
  rename($tmp, $link) or die "relink-symlinks: rename $tmp: $!\n";
  $changed++;
}

walk_tree($P, sub { if (-l _) { $seen++; relink($_[0]) } });
print STDERR "dappdeps-seal: symlinks: $seen, relinked $changed\n";
