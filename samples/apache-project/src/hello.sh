#!/bin/sh
# SPDX-FileCopyrightText: 2026 The pmt developers
# SPDX-License-Identifier: Apache-2.0
echo "hello"
