/* PCI config space model: masks, BAR sizing, capability list. */
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/pci_regs.h>

#include "pci/config.h"

static struct pci_config c;

static void setup(void)
{
	pci_cfg_init(&c, 0x1af4, 0x1042, 0x010000, 1);
}

TestSuite(pci_config, .init = setup);

Test(pci_config, ids_are_read_only)
{
	cr_expect_eq(pci_cfg_read(&c, PCI_VENDOR_ID, 4), 0x10421af4);
	pci_cfg_write(&c, PCI_VENDOR_ID, 4, 0);
	cr_expect_eq(pci_cfg_read(&c, PCI_VENDOR_ID, 4), 0x10421af4);
	cr_expect_eq(pci_cfg_read(&c, PCI_CLASS_REVISION, 4), 0x01000001);
	pci_cfg_write(&c, PCI_CLASS_REVISION, 4, 0xffffffff);
	cr_expect_eq(pci_cfg_read(&c, PCI_CLASS_REVISION, 4), 0x01000001);
	cr_expect_eq(pci_cfg_read(&c, PCI_HEADER_TYPE, 1), 0);
}

Test(pci_config, command_register_mask)
{
	pci_cfg_write(&c, PCI_COMMAND, 2, 0xffff);
	cr_expect_eq(pci_cfg_read(&c, PCI_COMMAND, 2),
		     PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_PARITY |
			 PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE);
	pci_cfg_write(&c, PCI_COMMAND, 1, 0);
	cr_expect_eq(pci_cfg_read(&c, PCI_COMMAND, 2), PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE);
}

Test(pci_config, status_error_bits_are_write_one_to_clear)
{
	pci_cfg_set16(&c, PCI_STATUS, PCI_STATUS_SIG_TARGET_ABORT | PCI_STATUS_DETECTED_PARITY);
	/* Writing 0 changes nothing; writing 1 clears that bit only. */
	pci_cfg_write(&c, PCI_STATUS, 2, 0);
	cr_expect_eq(pci_cfg_read(&c, PCI_STATUS, 2),
		     PCI_STATUS_SIG_TARGET_ABORT | PCI_STATUS_DETECTED_PARITY);
	pci_cfg_write(&c, PCI_STATUS, 2, PCI_STATUS_DETECTED_PARITY);
	cr_expect_eq(pci_cfg_read(&c, PCI_STATUS, 2), PCI_STATUS_SIG_TARGET_ABORT);
}

Test(pci_config, bar32_sizing)
{
	cr_assert_eq(pci_cfg_set_bar(&c, 0, PCI_BAR_MEM32, 0x4000, false), 0);
	pci_cfg_set_bar_addr(&c, 0, 0xc0004000);
	cr_expect_eq(pci_cfg_bar_addr(&c, 0), 0xc0004000);
	pci_cfg_write(&c, PCI_BASE_ADDRESS_0, 4, 0xffffffff);
	cr_expect_eq(pci_cfg_read(&c, PCI_BASE_ADDRESS_0, 4), 0xffffc000);
	pci_cfg_write(&c, PCI_BASE_ADDRESS_0, 4, 0xd0001234);
	cr_expect_eq(pci_cfg_read(&c, PCI_BASE_ADDRESS_0, 4), 0xd0000000);
	cr_expect_eq(pci_cfg_bar_addr(&c, 0), 0xd0000000);
	/* An undeclared BAR reads 0 whatever is written. */
	pci_cfg_write(&c, PCI_BASE_ADDRESS_1, 4, 0xffffffff);
	cr_expect_eq(pci_cfg_read(&c, PCI_BASE_ADDRESS_1, 4), 0);
}

Test(pci_config, bar64_prefetchable_sizing)
{
	uint64_t size = 8ULL << 30;

	cr_assert_eq(pci_cfg_set_bar(&c, 2, PCI_BAR_MEM64, size, true), 0);
	pci_cfg_set_bar_addr(&c, 2, 64ULL << 30);
	cr_expect_eq(pci_cfg_read(&c, PCI_BASE_ADDRESS_2, 4), 0xc);
	cr_expect_eq(pci_cfg_read(&c, PCI_BASE_ADDRESS_3, 4), 16);
	pci_cfg_write(&c, PCI_BASE_ADDRESS_2, 4, 0xffffffff);
	pci_cfg_write(&c, PCI_BASE_ADDRESS_3, 4, 0xffffffff);
	cr_expect_eq(pci_cfg_read(&c, PCI_BASE_ADDRESS_2, 4), 0x0000000c);
	cr_expect_eq(pci_cfg_read(&c, PCI_BASE_ADDRESS_3, 4), 0xfffffffe);
	/* Decode the size as a driver does. */
	uint64_t mask = (uint64_t)pci_cfg_read(&c, PCI_BASE_ADDRESS_3, 4) << 32 |
			(pci_cfg_read(&c, PCI_BASE_ADDRESS_2, 4) & ~0xfu);
	cr_expect_eq(~mask + 1, size);
	pci_cfg_write(&c, PCI_BASE_ADDRESS_2, 4, 0);
	pci_cfg_write(&c, PCI_BASE_ADDRESS_3, 4, 0x12);
	cr_expect_eq(pci_cfg_bar_addr(&c, 2), 0x12ULL << 32);
}

Test(pci_config, io_bar_sizing)
{
	cr_assert_eq(pci_cfg_set_bar(&c, 4, PCI_BAR_IO, 32, false), 0);
	pci_cfg_write(&c, PCI_BASE_ADDRESS_4, 4, 0xffffffff);
	cr_expect_eq(pci_cfg_read(&c, PCI_BASE_ADDRESS_4, 4), 0xffe1);
	pci_cfg_write(&c, PCI_BASE_ADDRESS_4, 4, 0xc040);
	cr_expect_eq(pci_cfg_bar_addr(&c, 4), 0xc040);
}

Test(pci_config, bad_bars_are_refused)
{
	cr_expect_eq(pci_cfg_set_bar(&c, 0, PCI_BAR_MEM32, 3000, false), -EINVAL);
	cr_expect_eq(pci_cfg_set_bar(&c, 0, PCI_BAR_MEM32, 8, false), -EINVAL);
	cr_expect_eq(pci_cfg_set_bar(&c, 5, PCI_BAR_MEM64, 4096, false), -EINVAL);
	cr_expect_eq(pci_cfg_set_bar(&c, 6, PCI_BAR_MEM32, 4096, false), -EINVAL);
	cr_expect_eq(pci_cfg_set_bar(&c, 0, PCI_BAR_IO, 512, false), -EINVAL);
	cr_expect_eq(pci_cfg_set_bar(&c, 0, PCI_BAR_IO, 16, true), -EINVAL);
}

Test(pci_config, capability_list_walk)
{
	int a = pci_cfg_add_cap(&c, PCI_CAP_ID_VNDR, 16);
	int b = pci_cfg_add_cap(&c, PCI_CAP_ID_MSIX, 12);
	int d = pci_cfg_add_cap(&c, PCI_CAP_ID_VNDR, 5);
	uint8_t ids[3], n = 0;

	cr_expect_eq(a, 0x40);
	cr_expect_eq(b, 0x50);
	cr_expect_eq(d, 0x5c);
	cr_expect(pci_cfg_read(&c, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
	/* Walk it the way a guest does, through config reads. */
	for (uint8_t off = pci_cfg_read(&c, PCI_CAPABILITY_LIST, 1); off && n < 3;
	     off = pci_cfg_read(&c, off + 1, 1))
		ids[n++] = pci_cfg_read(&c, off, 1);
	cr_expect_eq(n, 3);
	cr_expect_eq(ids[0], PCI_CAP_ID_VNDR);
	cr_expect_eq(ids[1], PCI_CAP_ID_MSIX);
	cr_expect_eq(ids[2], PCI_CAP_ID_VNDR);
	cr_expect_eq(pci_cfg_cap_next(&c, d), 0);
	/* Capability bodies are read-only unless a mask says otherwise. */
	pci_cfg_write(&c, a + 1, 1, 0);
	cr_expect_eq(pci_cfg_cap_first(&c), a);
	cr_expect_eq(pci_cfg_cap_next(&c, a), b);
}

Test(pci_config, capabilities_stop_at_256_bytes)
{
	int n = 0;

	while (pci_cfg_add_cap(&c, PCI_CAP_ID_VNDR, 20) > 0)
		n++;
	cr_expect_eq(n, (256 - 0x40) / 20);
	cr_expect_eq(pci_cfg_add_cap(&c, PCI_CAP_ID_VNDR, 20), -ENOSPC);
}

Test(pci_config, out_of_range_accesses)
{
	cr_expect_eq(pci_cfg_read(&c, 4095, 2), 0xffffffff);
	cr_expect_eq(pci_cfg_read(&c, 4096, 1), 0xffffffff);
	cr_expect_eq(pci_cfg_read(&c, 0, 3), 0xffffffff);
	cr_expect_eq(pci_cfg_read(&c, 0x100, 4), 0); /* no extended caps */
	pci_cfg_write(&c, 4094, 4, 0xffffffff);	     /* dropped, no overflow */
	cr_expect_eq(pci_cfg_read(&c, 4092, 4), 0);
}

Test(pci_config, interrupt_line_is_writable_pin_is_not)
{
	pci_cfg_set_irq(&c, 1, 17);
	pci_cfg_write(&c, PCI_INTERRUPT_LINE, 2, 0x0505);
	cr_expect_eq(pci_cfg_read(&c, PCI_INTERRUPT_LINE, 1), 5);
	cr_expect_eq(pci_cfg_read(&c, PCI_INTERRUPT_PIN, 1), 1);
}
