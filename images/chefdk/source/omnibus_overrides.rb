# TODO chefdk
