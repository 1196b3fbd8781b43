#!/usr/bin/perl
# What a loader resolves for each ELF file: runs LOADER FILE in trace mode (LD_TRACE_LOADED_OBJECTS=1, what
# ldd does; `--list` would stop at the first missing library) for every file read on stdin, one exec per file
# and no shell around it, two at a time.
# Usage: trace-libs.pl LOADER < files   (one path per line; "FILE|LOADER" gives that file its own loader)
# Prints, per file, in input order:
#   file|lib|path         a library the loader found (name => path)
#   file|interp|path      the interpreter the loader lists
#   file|missing|name     a library it could not find
#   file|failed|message   the loader exited non-zero (its message, or its status)
use strict;
use warnings;
use File::Temp qw(tempfile);
use POSIX qw(_exit);

my $default = shift @ARGV or die "usage: trace-libs.pl LOADER < files\n";
my @jobs = map { chomp; my ($f, $ld) = split /\|/, $_, 2; [$f, $ld || $default] } grep { /\S/ } <STDIN>;

sub trace {
  my ($file, $loader) = @_;
  my $out = '';
  my $pid = open(my $fh, '-|') // die "trace-libs: fork: $!\n";
  if ($pid == 0) {
    open(STDERR, '>&', \*STDOUT);
    $ENV{LD_TRACE_LOADED_OBJECTS} = 1;
    exec { $loader } $loader, $file or do { print "exec $loader: $!\n"; _exit(127) };
  }
  my @failed;
  while (my $line = <$fh>) {
    if ($line =~ /^\s*(\S+) => not found/) { $out .= "$file|missing|$1\n" }
    elsif ($line =~ /^\s*\S+ => (\/\S*)/) { $out .= "$file|lib|$1\n" }
    elsif ($line =~ /^\s*(\/\S*) \(0x/) { $out .= "$file|interp|$1\n" }
    elsif ($line =~ /^\s*\S+ \(0x/) { }    # the vDSO: nothing on disk
    else { chomp $line; push @failed, $line if $line ne '' }
  }
  close($fh);
  push @failed, 'exit status ' . ($? >> 8) if $? && !@failed;
  $out .= "$file|failed|" . join(' ', @failed) . "\n" if $? || @failed;
  return $out;
}

# Two workers, each taking every other file into its own file; their outputs are joined in input order.
my $workers = @jobs > 1 ? 2 : 1;
my (@pids, @files);
for my $w (0 .. $workers - 1) {
  my ($tmp, $name) = tempfile(UNLINK => 1);
  push @files, $name;
  my $pid = fork() // die "trace-libs: fork: $!\n";
  if ($pid == 0) {
    binmode($tmp);
    for (my $i = $w; $i < @jobs; $i += $workers) {
      my $text = trace(@{ $jobs[$i] });
      print {$tmp} pack('N', length($text)), $text;
    }
    close($tmp) or _exit(1);
    _exit(0);
  }
  push @pids, $pid;
}
for my $pid (@pids) {
  waitpid($pid, 0);
  die "trace-libs: a worker failed\n" if $?;
}
my @outputs;
for my $w (0 .. $workers - 1) {
  open(my $fh, '<:raw', $files[$w]) or die "trace-libs: $files[$w]: $!\n";
  for (my $i = $w; $i < @jobs; $i += $workers) {
    my ($len, $text) = ('', '');
    read($fh, $len, 4) == 4 or die "trace-libs: worker $w ended early\n";
    $len = unpack('N', $len);
    $len == 0 or read($fh, $text, $len) == $len or die "trace-libs: worker $w ended early\n";
    $outputs[$i] = $text;
  }
}
print @outputs;
