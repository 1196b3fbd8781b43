# The seal kit's Perl helpers walk a folder the same way: every entry but folders, in name order, with its
# lstat, never following a symlink.
package WalkTree;
use strict;
use warnings;
use Exporter 'import';
our @EXPORT_OK = qw(walk_tree);

# walk_tree(DIR, VISIT): VISIT->(path, lstat fields...) for each non-folder under DIR.
sub walk_tree {
  my ($dir, $visit) = @_;
  opendir(my $dh, $dir) or die "cannot read $dir: $!\n";
  my @names = sort grep { $_ ne '.' && $_ ne '..' } readdir($dh);
  closedir($dh);
  for my $name (@names) {
    my $path = "$dir/$name";
    my @st = lstat($path) or die "cannot stat $path: $!\n";
    if (-d _) { walk_tree($path, $visit) } else { $visit->($path, @st) }
  }
}

1;
