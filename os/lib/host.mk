# Host unit tests of os/lib's pure code that os/kernel/host.mk does not
# cover (included by the top Makefile after it): the terminal line
# discipline, the /dev/random generator and PCI.  termdisc's objects see
# Keel's <termios.h> (copied alone into a directory of their own, so the
# host's other headers stay the host's).

HLIB_TERMIOS := $(HB)/keel-termios

$(HLIB_TERMIOS)/termios.h: os/libc/include/termios.h
	@mkdir -p $(dir $@)
	cp $< $@

$(HB)/obj/os/lib/termdisc.o $(HB)/obj/os/lib/test/test_termdisc.o: HCFLAGS += -I $(HLIB_TERMIOS)
$(HB)/obj/os/lib/termdisc.o $(HB)/obj/os/lib/test/test_termdisc.o: $(HLIB_TERMIOS)/termios.h

$(HB)/test_termdisc: $(HB)/obj/os/lib/test/test_termdisc.o $(HB)/obj/os/lib/termdisc.o $(HLIB_OBJ)
	$(HCC) $(HCFLAGS) $^ -o $@

HOST_TESTS += test_termdisc
host-test: $(HB)/test_termdisc
-include $(HB)/obj/os/lib/termdisc.d $(HB)/obj/os/lib/test/test_termdisc.d

# The /dev/random generator.
$(HB)/test_chacha: $(HB)/obj/os/lib/test/test_chacha.o $(HB)/obj/os/lib/chacha.o $(HLIB_OBJ)
	$(HCC) $(HCFLAGS) $^ -o $@

HOST_TESTS += test_chacha
host-test: $(HB)/test_chacha
-include $(HB)/obj/os/lib/chacha.d $(HB)/obj/os/lib/test/test_chacha.d

# PCI enumeration against a fake configuration space.
$(HB)/test_pci: $(HB)/obj/os/lib/test/test_pci.o $(HB)/obj/os/lib/test/fake_pci.o \
		$(HB)/obj/os/lib/pci.o $(HLIB_OBJ)
	$(HCC) $(HCFLAGS) $^ -o $@

HOST_TESTS += test_pci
host-test: $(HB)/test_pci
-include $(HB)/obj/os/lib/pci.d $(HB)/obj/os/lib/test/test_pci.d $(HB)/obj/os/lib/test/fake_pci.d

# The DesignWare host (the FU740's) against a register model: DBI, the
# iATU in both layouts, the link, the MSI controller, and pci-server's
# owners of its vectors.
$(HB)/test_pci_dw: $(HB)/obj/os/lib/test/test_pci_dw.o $(HB)/obj/os/lib/test/fake_pci.o \
		$(HB)/obj/os/lib/pci_dw.o $(HB)/obj/os/lib/pci_msi_route.o $(HB)/obj/os/lib/pci.o \
		$(HLIB_OBJ)
	$(HCC) $(HCFLAGS) $^ -o $@

HOST_TESTS += test_pci_dw
host-test: $(HB)/test_pci_dw
-include $(HB)/obj/os/lib/pci_dw.d $(HB)/obj/os/lib/pci_msi_route.d $(HB)/obj/os/lib/test/test_pci_dw.d
