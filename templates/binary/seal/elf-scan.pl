#!/usr/bin/perl
# List the dynamic ELF files under a folder, reading each file's headers in this one process: what
# seal.sh used to ask patchelf three times per file, with a fork each time (forks are what a loaded
# machine, and qemu-user emulation, make slowest).
# Usage: elf-scan.pl DIR|FILE...   (perl-base only: every Debian build stage has it)
# Prints one line per dynamic ELF file (one with an interpreter or a needed library), sorted by path:
#   path|dev:inode|interpreter|needed libraries (space-separated)|RPATH or RUNPATH
# Fields may be empty, so the separator is "|", not a blank that `read` would merge; paths holding "|" or
# a newline are refused.
use strict;
use warnings;
use lib __FILE__ =~ m{^(.*)/} ? $1 : '.';    # the kit's own WalkTree.pm
use WalkTree qw(walk_tree);

use constant { PT_LOAD => 1, PT_DYNAMIC => 2, PT_INTERP => 3 };
use constant { DT_NULL => 0, DT_NEEDED => 1, DT_STRTAB => 5, DT_RPATH => 15, DT_RUNPATH => 29 };

sub fail { print STDERR "elf-scan: error: @_\n"; exit 1 }

sub read_at {
  my ($fh, $offset, $length) = @_;
  my $buf = '';
  return undef unless seek($fh, $offset, 0);
  my $got = read($fh, $buf, $length);
  return (defined $got && $got == $length) ? $buf : undef;
}

# NUL-terminated string at a file offset.
sub cstring_at {
  my ($fh, $offset) = @_;
  my $buf = '';
  seek($fh, $offset, 0) or return undef;
  read($fh, $buf, 4096);
  return $buf =~ /^([^\0]*)\0/ ? $1 : undef;
}

# The ELF file's interpreter, needed libraries and search path; undef when it is not an ELF file we read.
sub elf_info {
  my ($path) = @_;
  open(my $fh, '<:raw', $path) or return undef;
  my $eh = read_at($fh, 0, 64);
  $eh = read_at($fh, 0, 52) unless defined $eh;
  return undef unless defined $eh && substr($eh, 0, 4) eq "\x7fELF";
  my ($class, $data) = unpack('C C', substr($eh, 4, 2));
  return undef unless ($class == 1 || $class == 2) && ($data == 1 || $data == 2);
  my $wide = $class == 2;
  return undef if $wide && length($eh) < 64;
  my ($h, $w) = $data == 1 ? ('v', 'V') : ('n', 'N');
  my $a = $wide ? ($data == 1 ? 'Q<' : 'Q>') : $w;    # an address or offset
  my ($phoff, $phentsize, $phnum) =
    $wide
    ? (unpack($a, substr($eh, 32, 8)), unpack("$h $h", substr($eh, 54, 4)))
    : (unpack($a, substr($eh, 28, 4)), unpack("$h $h", substr($eh, 42, 4)));
  return undef unless $phnum && $phentsize >= ($wide ? 56 : 32);
  my $table = read_at($fh, $phoff, $phentsize * $phnum);
  return undef unless defined $table;

  my (@loads, $interp, $dyn_off, $dyn_size);
  for my $i (0 .. $phnum - 1) {
    my $ph = substr($table, $i * $phentsize, $phentsize);
    my ($type, $offset, $vaddr, $filesz) =
      $wide
      ? (unpack($w, $ph), unpack("$a $a x8 $a", substr($ph, 8, 32)))
      : unpack("$w $w $w x4 $w", $ph);
    if ($type == PT_LOAD) {
      push @loads, [$vaddr, $offset, $filesz];
    } elsif ($type == PT_INTERP) {
      $interp = cstring_at($fh, $offset);
    } elsif ($type == PT_DYNAMIC) {
      ($dyn_off, $dyn_size) = ($offset, $filesz);
    }
  }
  my (@needed, $strtab, @rpath, @runpath);
  if (defined $dyn_off) {
    my $dyn = read_at($fh, $dyn_off, $dyn_size) // '';
    my $entry = $wide ? 16 : 8;
    for (my $o = 0; $o + $entry <= length($dyn); $o += $entry) {
      my ($tag, $val) = unpack("$a $a", substr($dyn, $o, $entry));
      last if $tag == DT_NULL;
      if ($tag == DT_NEEDED) { push @needed, $val }
      elsif ($tag == DT_STRTAB) { $strtab = $val }
      elsif ($tag == DT_RPATH) { push @rpath, $val }
      elsif ($tag == DT_RUNPATH) { push @runpath, $val }
    }
  }
  my $string = sub {
    my ($index) = @_;
    return undef unless defined $strtab;
    for my $l (@loads) {    # STRTAB is an address: the file offset is in the segment that maps it
      my ($vaddr, $offset, $filesz) = @$l;
      return cstring_at($fh, $strtab - $vaddr + $offset + $index) if $strtab >= $vaddr && $strtab < $vaddr + $filesz;
    }
    return undef;
  };
  my @names = map { $string->($_) // fail("$path: unreadable DT_NEEDED") } @needed;
  # patchelf --print-rpath's answer: RUNPATH when there is one, else RPATH
  my ($search) = map { $string->($_) // fail("$path: unreadable search path") } (@runpath ? @runpath : @rpath);
  close($fh);
  return { interp => $interp // '', needed => \@names, rpath => $search // '' };
}

my @found;

# One file's line, when it is a dynamic ELF file.
sub scan {
  my ($path, @st) = @_;
  return unless -f _ && $st[7] > 52;
  fail("path with a | or newline: $path") if $path =~ /[|\n]/;
  my $info = elf_info($path) or return;
  return unless $info->{interp} ne '' || @{ $info->{needed} };
  push @found, join('|', $path, "$st[0]:$st[1]", $info->{interp}, join(' ', @{ $info->{needed} }), $info->{rpath});
}

fail('usage: elf-scan.pl DIR|FILE...') unless @ARGV;
for my $arg (@ARGV) {
  $arg =~ s{(?<=.)/+$}{};
  my @st = stat($arg) or fail("cannot stat $arg: $!");    # a FILE argument may be a symlink: its target
  if (-d _) { walk_tree($arg, \&scan) } else { scan($arg, @st) }
}
print "$_\n" for sort @found;
