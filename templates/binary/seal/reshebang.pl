#!/usr/bin/perl
# Point the "#!" line of every executable script under the prefix P at an interpreter in P/bin or P/sbin;
# "#!/usr/bin/env x" too, since a scratch image has no /usr/bin/env. A script whose interpreter P lacks is
# left as it is, with a warning. Files are rewritten in place: inode, mode and hardlinks stay.
# Usage: reshebang.pl P
use strict;
use warnings;
use lib __FILE__ =~ m{^(.*)/} ? $1 : '.';    # the kit's own WalkTree.pm
use WalkTree qw(walk_tree);

my $P = shift @ARGV or die "usage: reshebang.pl P\n";
my $rewritten = 0;

sub reshebang {
  my ($file) = @_;
  open(my $in, '<:raw', $file) or die "reshebang: $file: $!\n";
  my $text = do { local $/; <$in> };
  close($in);
  my ($line) = $text =~ /^([^\n]*)/;
  (my $shown = $line) =~ s/\r//g;
  (my $spec = $shown) =~ s/^#!\s*//;
  my ($prog, $rest) = $spec =~ /^(\S*)(.*)$/;
  return if index($prog, "$P/") == 0;
  my $name;
  if ($prog eq '/usr/bin/env' || $prog eq '/bin/env') {
    $rest =~ s/^\s+//;
    ($name, $rest) = $rest =~ /^(\S*)(.*)$/;
  } else {
    ($name = $prog) =~ s{.*/}{};
  }
  my ($target) = grep { $name ne '' && -e $_ } map { "$P/$_/$name" } qw(bin sbin);
  unless ($target) {
    (my $rel = $file) =~ s{^\Q$P\E/}{};
    print STDERR "dappdeps-seal: warning: shebang interpreter not in P: $rel: $shown\n";
    return;
  }
  my $body = $text =~ /\n/ ? substr($text, index($text, "\n") + 1) : '';
  open(my $out, '+<:raw', $file) or die "reshebang: $file: $!\n";
  print {$out} "#!$target$rest\n", $body or die "reshebang: $file: $!\n";
  truncate($out, tell($out)) or die "reshebang: $file: $!\n";
  close($out) or die "reshebang: $file: $!\n";
  $rewritten++;
}

# An executable regular file whose first two bytes are "#!".
sub script {
  my ($path, @st) = @_;
  return unless -f _ && ($st[2] & 0111);
  open(my $fh, '<:raw', $path) or die "reshebang: $path: $!\n";
  my $magic = '';
  read($fh, $magic, 2);
  close($fh);
  reshebang($path) if $magic eq '#!';
}

walk_tree($P, \&script);
print STDERR "dappdeps-seal: shebangs pointed into P: $rewritten\n";
