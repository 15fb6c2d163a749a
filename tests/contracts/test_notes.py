"""ERC-1155 notes: balances, approvals, batch transfers, receiver checks."""

from tests.contracts.helpers import USDC, reverts


def test_transfer_moves_notes(book, active_loan, lenders, outsider):
    tx = book.safeTransferFrom(lenders[0], outsider, active_loan, 150 * USDC, b"", {"from": lenders[0]})
    assert book.balanceOf(lenders[0], active_loan) == 250 * USDC
    assert book.balanceOf(outsider, active_loan) == 150 * USDC
    event = tx.events["TransferSingle"]
    assert (event["operator"], event["from"], event["to"], event["value"]) == (
        lenders[0], lenders[0], outsider, 150 * USDC)


def test_transfer_needs_approval(book, active_loan, lenders, outsider):
    with reverts("ERC1155MissingApprovalForAll", outsider, lenders[0]):
        book.safeTransferFrom(lenders[0], outsider, active_loan, 1, b"", {"from": outsider})
    book.setApprovalForAll(outsider, True, {"from": lenders[0]})
    assert book.isApprovedForAll(lenders[0], outsider)
    book.safeTransferFrom(lenders[0], outsider, active_loan, 1, b"", {"from": outsider})
    assert book.balanceOf(outsider, active_loan) == 1


def test_transfer_more_than_balance_reverts(book, active_loan, lenders, outsider):
    with reverts("ERC1155InsufficientBalance", lenders[0], 400 * USDC, 400 * USDC + 1, active_loan):
        book.safeTransferFrom(lenders[0], outsider, active_loan, 400 * USDC + 1, b"", {"from": lenders[0]})


def test_transfer_to_zero_reverts(book, active_loan, lenders):
    with reverts("ERC1155InvalidReceiver", "0x" + "00" * 20):
        book.safeTransferFrom(lenders[0], "0x" + "00" * 20, active_loan, 1, b"", {"from": lenders[0]})


def test_transfer_to_contract_without_receiver_hook_reverts(book, active_loan, lenders, usdc):
    with reverts("ERC1155InvalidReceiver", usdc):
        book.safeTransferFrom(lenders[0], usdc, active_loan, 1, b"", {"from": lenders[0]})


def test_batch_transfer_and_balance_of_batch(book, list_loan, lenders, outsider):
    first, second = list_loan(), list_loan()
    book.fund(first, 100 * USDC, {"from": lenders[0]})
    book.fund(second, 200 * USDC, {"from": lenders[0]})
    book.safeBatchTransferFrom(lenders[0], outsider, [first, second], [40 * USDC, 50 * USDC], b"",
                               {"from": lenders[0]})
    balances = book.balanceOfBatch([lenders[0], lenders[0], outsider, outsider], [first, second, first, second])
    assert list(balances) == [60 * USDC, 150 * USDC, 40 * USDC, 50 * USDC]
    with reverts("ERC1155InvalidArrayLength", 2, 1):
        book.safeBatchTransferFrom(lenders[0], outsider, [first, second], [1], b"", {"from": lenders[0]})


def test_supports_erc1155_interface(book):
    assert book.supportsInterface("0xd9b67a26")  # IERC1155
    assert book.supportsInterface("0x01ffc9a7")  # IERC165
    assert not book.supportsInterface("0xffffffff")
