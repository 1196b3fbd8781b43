#!/usr/bin/env bash

echo -n "win"