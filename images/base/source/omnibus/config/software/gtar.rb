# TODO base
