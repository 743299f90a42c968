# passwd makes SHA-512 hashes with crypt(3), which libxcrypt's port provides.
UPROG_PORTS_passwd := libxcrypt
