# TODO ansible
