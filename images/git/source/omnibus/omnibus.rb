# TODO git
