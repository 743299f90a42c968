# login checks passwords with crypt(3), which libxcrypt's port provides.
UPROG_PORTS_login := libxcrypt
